package io.caravan.llm;

import io.caravan.tenancy.TenantId;
import java.time.Instant;

/** One provider call that answered, with the usage the provider reported (for the usage ledger). */
public record ChatUsage(TenantId tenant, Instant at, String provider, String providerType, String model,
                        int promptTokens, int completionTokens, String requestId) {
}
