package io.caravan.ingest;

import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Per-tenant ingestion limits: the index route's throttle (the tenant as key, its configured rate as limit) and the
 * document size sources check before they download.
 */
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

    /** The tenant's largest document ({@code limits.maxDocumentBytes}, else the hub's default). */
    public long maxDocumentBytes(TenantId tenant) {
        Long configured = tenants.config(tenant).limits().maxDocumentBytes();
        return configured != null ? configured : settings.maxDocumentBytes();
    }

    public int documentsPerSecond(Exchange exchange) {
        Integer configured = tenants.config(TenantHeader.require(exchange)).limits()
                .ingestDocumentsPerSecond();
        return configured != null ? configured : settings.documentsPerSecond();
    }
}
