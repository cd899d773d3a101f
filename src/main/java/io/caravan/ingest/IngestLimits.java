package io.caravan.ingest;

import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantRegistry;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/** Expressions for the index route's per-tenant throttle: the tenant as key, its configured rate as limit. */
@Component("ingestLimits")
public class IngestLimits {

    private final TenantRegistry tenants;
    private final IngestSettings settings;

    public IngestLimits(TenantRegistry tenants, IngestSettings settings) {
        this.tenants = tenants;
        this.settings = settings;
    }

    public String tenantKey(Exchange exchange) {
        return TenantHeader.require(exchange).value();
    }

    public int documentsPerSecond(Exchange exchange) {
        Integer configured = tenants.config(TenantHeader.require(exchange)).limits()
                .ingestDocumentsPerSecond();
        return configured != null ? configured : settings.documentsPerSecond();
    }
}
