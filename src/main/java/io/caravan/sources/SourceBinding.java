package io.caravan.sources;

import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import java.util.Map;

/**
 * How one source type of the tenant config ({@code sources[].type}) becomes a running connector: the Kamelet to
 * instantiate and its properties. One Spring bean per type; the source manager starts one instance per tenant
 * source as {@code kamelet:<kamelet()>/<instance>?tenantId=..&sourceId=..&<properties>} and routes what it emits to
 * {@code direct:ingest-source-item}.
 */
public interface SourceBinding {

    /** The {@code type} value in the tenant config, e.g. {@code web}; also the {@code source_type} metric label. */
    String type();

    /** Name of the Kamelet under {@code connectors/}, e.g. {@code web-source}. */
    String kamelet();

    /**
     * Kamelet properties for this source besides {@code tenantId} and {@code sourceId} (added by the manager).
     * Secrets are read here from the tenant's own secret namespace; a missing secret or setting throws
     * {@link IllegalArgumentException} naming it, which marks the source {@code failing} (other sources go on).
     */
    Map<String, String> properties(TenantId tenant, TenantConfig.Source source);
}
