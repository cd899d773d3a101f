package io.caravan.tenancy;

import java.time.Instant;

/** A tenant as stored in the registry, with its current configuration. */
public record Tenant(TenantId id, String displayName, TenantConfig config, int configVersion,
                     Instant createdAt, Instant updatedAt) {
}
