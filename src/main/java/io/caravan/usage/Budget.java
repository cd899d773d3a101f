package io.caravan.usage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The token budgets of a tenant and their periods (UTC calendar month or day). */
public enum Budget {
    EMBEDDING_MONTHLY("embedding_monthly", DateTimeFormatter.ofPattern("yyyy-MM")),
    LLM_DAILY("llm_daily", DateTimeFormatter.ofPattern("yyyy-MM-dd"));

    private final String key;
    private final DateTimeFormatter period;

    Budget(String key, DateTimeFormatter period) {
        this.key = key;
        this.period = period.withZone(ZoneOffset.UTC);
    }

    public String key() {
        return key;
    }

    public String period(Instant at) {
        return period.format(at);
    }
}
