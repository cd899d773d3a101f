package io.caravan.llm;

import io.caravan.tenancy.TenantId;
import java.util.List;

/**
 * The router's result: the answer of the provider that answered, its reported token usage, and every attempt
 * in order. Carries what the usage ledger needs (tenant, provider, model, tokens, request id).
 */
public record RoutedAnswer(TenantId tenant, String requestId, String criticality, String text, String provider,
                           String model, int promptTokens, int completionTokens, List<Attempt> attempts) {

    public RoutedAnswer {
        attempts = List.copyOf(attempts);
    }

    /** True when the first provider of the route answered: nothing failed over or degraded. */
    public boolean firstChoice() {
        return attempts.size() == 1 && attempts.get(0).outcome() == Outcome.OK;
    }
}
