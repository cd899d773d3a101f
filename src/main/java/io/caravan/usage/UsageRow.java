package io.caravan.usage;

import java.time.LocalDate;

/**
 * One row of a usage report. {@code tenant} is set only in the cross-tenant report and {@code day} only when
 * grouped by day.
 */
public record UsageRow(String tenant, LocalDate day, String model, String provider, String kind, long requests,
                       long promptTokens, long completionTokens, long embeddingTokens) {

    public long totalTokens() {
        return promptTokens + completionTokens + embeddingTokens;
    }
}
