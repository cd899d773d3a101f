package io.caravan.sources;

import io.caravan.ingest.DocumentStatus;
import io.caravan.ingest.IntakeResult;
import io.caravan.ingest.NewDocument;
import io.caravan.ingest.Quarantine;
import io.caravan.ingest.RejectedDocumentException;
import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The beans of {@code ingest-source-item}: turns an item a source emitted (contract in {@link SourceBinding}) into
 * an offered document, and quarantines what cannot be accepted, so no item is dropped silently.
 */
@Component("sourceItemIntake")
public class SourceItemIntake {

    private static final Logger LOG = LoggerFactory.getLogger(SourceItemIntake.class);
    private static final String FETCH_FAILED = "fetch_failed";

    private final Quarantine quarantine;
    private final SourceStatuses statuses;
    private final TenantMetrics metrics;

    public SourceItemIntake(Quarantine quarantine, SourceStatuses statuses, TenantMetrics metrics) {
        this.quarantine = quarantine;
        this.statuses = statuses;
        this.metrics = metrics;
    }

    /** The item as a document to offer to {@code direct:ingest-document}; a failed item throws to be quarantined. */
    public NewDocument toDocument(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        Message in = exchange.getMessage();
        String sourceType = required(in, SourceItemHeaders.SOURCE_TYPE);
        statuses.itemSeen(tenant, required(in, SourceItemHeaders.SOURCE_ID));
        String error = in.getHeader(SourceItemHeaders.ERROR, String.class);
        if (error != null) {
            String reason = in.getHeader(SourceItemHeaders.ERROR_REASON, FETCH_FAILED, String.class);
            throw new SourceItemRejectedException(reason, error);
        }
        Object body = in.getBody();
        byte[] content = body instanceof byte[] bytes ? bytes
                : body == null ? new byte[0] : in.getBody(String.class).getBytes(StandardCharsets.UTF_8);
        String contentType = in.getHeader(SourceItemHeaders.CONTENT_TYPE, "text/plain", String.class);
        return new NewDocument(in.getHeader(SourceItemHeaders.TITLE, String.class), content, baseType(contentType),
                sourceType, in.getHeader(SourceItemHeaders.URI, String.class), null);
    }

    /** Records the item that could not be accepted as quarantined (stage fetch) and answers like the intake. */
    public IntakeResult quarantine(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        Message in = exchange.getMessage();
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = reason(failure);
        String error = failure == null || failure.getMessage() == null ? reason : failure.getMessage();
        String sourceType = required(in, SourceItemHeaders.SOURCE_TYPE);
        String sourceId = required(in, SourceItemHeaders.SOURCE_ID);
        String uri = in.getHeader(SourceItemHeaders.URI, String.class);
        Quarantine.Item item = quarantine.addUnaccepted(tenant, in.getHeader(SourceItemHeaders.TITLE, String.class),
                sourceType, uri, in.getHeader(SourceItemHeaders.CONTENT_TYPE, String.class), reason, error);
        statuses.error(tenant, sourceId, reason + ": " + (uri == null ? "" : uri + ": ") + error);
        metrics.ingestDocument(tenant, sourceType, "quarantined");
        LOG.warn("Quarantined item {} of source {}: {} ({})", uri, sourceId, reason, error);
        return new IntakeResult(item.documentId(), DocumentStatus.QUARANTINED);
    }

    /** The quarantine reason of an item refused by its source or by the intake. */
    public static String reason(Throwable failure) {
        if (failure instanceof SourceItemRejectedException rejected) {
            return rejected.reason();
        }
        if (failure instanceof RejectedDocumentException rejected) {
            return switch (rejected.reason()) {
                case EMPTY -> "empty_content";
                case TOO_LARGE -> "too_large";
                case UNSUPPORTED_TYPE -> "unsupported_type";
                case INVALID -> "parse_error";
            };
        }
        return FETCH_FAILED;
    }

    private static String required(Message in, String header) {
        String value = in.getHeader(header, String.class);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("source item without header " + header);
        }
        return value;
    }

    /** {@code text/html; charset=UTF-8} → {@code text/html}: the intake checks the bare type. */
    private static String baseType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(java.util.Locale.ROOT);
    }
}
