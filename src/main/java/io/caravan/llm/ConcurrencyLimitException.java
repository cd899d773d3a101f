package io.caravan.llm;

import io.caravan.tenancy.TenantId;

/** The tenant already has {@code limits.maxConcurrentLlmCalls} LLM calls in flight: 429 {@code rate_limited}. */
public class ConcurrencyLimitException extends RuntimeException {

    public ConcurrencyLimitException(TenantId tenant, int maxConcurrent) {
        super("tenant " + tenant + " already has " + maxConcurrent + " LLM calls in flight (limits.maxConcurrentLlmCalls)");
    }
}
