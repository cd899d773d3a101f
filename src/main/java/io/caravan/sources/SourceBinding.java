package io.caravan.sources;

import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import java.util.Map;

/**
 * How one source type of the tenant config ({@code sources[].type}) becomes a running connector: the Kamelet to
 * instantiate and its properties. One Spring bean per type; the source manager starts one instance per tenant
 * source as {@code kamelet:<kamelet()>/<instance>?tenantId=..&sourceId=..&<properties>} and routes what it emits to
 * {@code direct:ingest-source-item}.
 *
 * <p><b>Item contract</b> (what a source Kamelet emits to {@code kamelet:sink}, one exchange per item; header names
 * in {@link SourceItemHeaders}):
 * <ul>
 *   <li>the tenant header ({@link io.caravan.tenancy.TenantHeader#NAME}), set by the Kamelet's first step from its {@code tenantId}
 *       property (Java code sets it only through {@code TenantHeader});</li>
 *   <li>body: the item's content, a {@code String} (UTF-8 text) or {@code byte[]};</li>
 *   <li>{@code CaravanItemType}: its content type, one the hub parses ({@code text/plain}, {@code text/markdown},
 *       {@code text/html}, {@code application/pdf}, DOCX); anything else is quarantined {@code unsupported_type};</li>
 *   <li>{@code CaravanItemTitle}, {@code CaravanItemUri}: title and a stable URI of the item (a new item with the
 *       URI of an earlier one replaces it once indexed);</li>
 *   <li>{@code CaravanSourceType}, {@code CaravanSourceId}: the source's type (the {@code source_type} label) and its
 *       id in the tenant config;</li>
 *   <li>{@code CaravanItemError} (optional): the source could not fetch the item; the body is ignored and the item
 *       is quarantined with reason {@code CaravanItemErrorReason} (default {@code fetch_failed}; a source that
 *       measured the item too large before downloading it says {@code too_large}).</li>
 * </ul>
 * {@code direct:ingest-source-item} answers with an {@code io.caravan.ingest.IntakeResult} in the body: queued,
 * duplicate, or quarantined (too large, empty, unsupported or failed items are never dropped silently). It throws
 * only when the hub itself cannot record the item (e.g. its database is down), so a source that acknowledges items
 * upstream (marks a mail read) does so only after an answer.
 *
 * <p>Secret-bearing property values are passed to the Kamelet as {@code RAW(...)} and never logged by the hub; name
 * such properties so Camel masks them in endpoint URIs too (e.g. {@code clientSecret}, {@code accessToken},
 * {@code refreshToken}, {@code password}), and mark them {@code format: password} in the Kamelet.
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
