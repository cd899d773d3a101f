package io.caravan.usage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The token budgets of a tenant, their periods (UTC calendar month or day) and the field of the tenant config's
 * {@code budgets} holding each limit (the database reads it there too: {@code caravan_budget_limit}, V12).
 */
public enum Budget {
    EMBEDDING_MONTHLY("embedding_monthly", DateTimeFormatter.ofPattern("yyyy-MM"), "embeddingTokensPerMonth"),
    LLM_DAILY("llm_daily", DateTimeFormatter.ofPattern("yyyy-MM-dd"), "llmTokensPerDay");

    private final String key;
    private final DateTimeFormatter period;
    private final String configField;

    Budget(String key, DateTimeFormatter period, String configField) {
        this.key = key;
        this.period = period.withZone(ZoneOffset.UTC);
        this.configField = configField;
    }

    public String key() {
        return key;
    }

    /** The budget with this key. */
    public static Budget ofKey(String key) {
        for (Budget budget : values()) {
            if (budget.key.equals(key)) {
                return budget;
            }
        }
        throw new IllegalArgumentException("unknown budget " + key);
    }

    /** The field of the tenant config's {@code budgets} object that holds this budget's limit. */
    public String configField() {
        return configField;
    }

    public String period(Instant at) {
        return period.format(at);
    }
}
