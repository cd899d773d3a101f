package io.caravan.tenancy;

/**
 * Published by {@link TenantRegistry} when a tenant's configuration changed or the tenant was deleted; listeners
 * that act on committed state (the source manager) listen after commit.
 */
public record TenantChanged(TenantId tenant) {
}
