package io.caravan.ingest;

import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

/**
 * First step of ingestion, run while the client waits: validates the offered document, de-duplicates it by
 * content hash and records it durably. Only then is it acknowledged and queued.
 */
@Component("documentIntake")
public class DocumentIntake {

    /** The registry's column sizes. */
    static final int MAX_TITLE = 1000;
    static final int MAX_SOURCE_URI = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(DocumentIntake.class);
    /**
     * Types a client may declare. What the bytes really are is decided by the parser, so a file that
     * claims to be text but is not ends in the quarantine with a reason instead of being refused here.
     */
    static final Set<String> SUPPORTED_TYPES = Set.of("text/plain", "text/markdown", "text/html", "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");

    private final DocumentRegistry registry;
    private final TenantRegistry tenants;
    private final IngestSettings settings;
    private final DocumentIds ids;
    private final TenantMetrics metrics;
    private final Clock clock;
    private final IngestGauges gauges;

    public DocumentIntake(DocumentRegistry registry, TenantRegistry tenants, IngestSettings settings,
                          DocumentIds ids, TenantMetrics metrics, Clock clock, IngestGauges gauges) {
        this.registry = registry;
        this.tenants = tenants;
        this.settings = settings;
        this.ids = ids;
        this.metrics = metrics;
        this.clock = clock;
        this.gauges = gauges;
    }

    public IntakeResult accept(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        NewDocument offered = exchange.getMessage().getMandatoryBody(NewDocument.class);
        return accept(tenant, offered);
    }

    IntakeResult accept(TenantId tenant, NewDocument offered) {
        gauges.ensure(tenant);
        if (!SUPPORTED_TYPES.contains(offered.contentType())) {
            throw new RejectedDocumentException(RejectedDocumentException.Reason.UNSUPPORTED_TYPE,
                    "content type '" + offered.contentType() + "' is not supported; send "
                            + String.join(", ", SUPPORTED_TYPES.stream().sorted().toList()));
        }
        if (offered.content().length == 0) {
            throw new RejectedDocumentException(RejectedDocumentException.Reason.EMPTY, "the document is empty");
        }
        long limit = maxDocumentBytes(tenant);
        if (offered.content().length > limit) {
            throw new RejectedDocumentException(RejectedDocumentException.Reason.TOO_LARGE,
                    "the document has " + offered.content().length + " bytes; the limit is " + limit);
        }
        if (offered.sourceUri() != null && offered.sourceUri().length() > MAX_SOURCE_URI) {
            // the REST edge refuses these with 400 itself; a connector's item ends in the quarantine this way
            throw new RejectedDocumentException(RejectedDocumentException.Reason.INVALID,
                    "the source URI is longer than " + MAX_SOURCE_URI + " characters");
        }
        String hash = contentHash(offered);
        Document document = new Document(tenant, ids.next("doc_"), title(offered), offered.sourceType(),
                offered.sourceUri(), offered.contentType(), hash, DocumentStatus.QUEUED, 0, clock.instant(), null, null);
        try {
            // the duplicate check and the insert in one transaction (one commit); a concurrent insert of the same
            // content still fails on the unique (tenant, hash) index, which rolls this transaction back
            Document existing = registry.inTransaction(tenant, () -> {
                Optional<Document> found = registry.findByHash(tenant, hash);
                if (found.isEmpty()) {
                    registry.insertQueued(document, offered);
                }
                return found.orElse(null);
            });
            if (existing != null) {
                return duplicate(tenant, offered, existing);
            }
        } catch (DuplicateKeyException race) {
            // the same content arrived concurrently: the unique (tenant, hash) index let exactly one win
            return registry.findByHash(tenant, hash).map(winner -> duplicate(tenant, offered, winner))
                    .orElseThrow(() -> race);
        }
        LOG.info("Accepted document {} ({} bytes, {})", document.documentId(), offered.content().length,
                offered.sourceType());
        return new IntakeResult(document.documentId(), DocumentStatus.QUEUED);
    }

    private IntakeResult duplicate(TenantId tenant, NewDocument offered, Document existing) {
        LOG.info("Document is a duplicate of {}", existing.documentId());

        metrics.ingestDocument(tenant, offered.sourceType(), "duplicate");
        String original = existing.duplicateOf() != null ? existing.duplicateOf() : existing.documentId();
        return new IntakeResult(original, DocumentStatus.DUPLICATE);
    }

    long maxDocumentBytes(TenantId tenant) {
        Long configured = tenants.config(tenant).limits().maxDocumentBytes();
        return configured != null ? configured : settings.maxDocumentBytes();
    }

    /**
     * For text: sha256 of the normalised text (empty text is refused here). Other bytes (PDF, DOCX, or text
     * that is not UTF-8) hash as they are; the pipeline's idempotent consumer then compares their extracted
     * text, and the parse stage quarantines what cannot be read.
     */
    private static String contentHash(NewDocument offered) {
        byte[] content = offered.content();
        Optional<String> text = isText(offered.contentType()) ? decode(content) : Optional.empty();
        if (text.isEmpty()) {
            return TextNormaliser.sha256(java.util.HexFormat.of().formatHex(content));
        }
        String normalised = TextNormaliser.normalise(text.get());
        if (normalised.isEmpty()) {
            throw new RejectedDocumentException(RejectedDocumentException.Reason.EMPTY,
                    "the document has no text content");
        }
        return TextNormaliser.sha256(normalised);
    }

    private static boolean isText(String contentType) {
        return "text/plain".equals(contentType) || "text/markdown".equals(contentType);
    }

    static Optional<String> decode(byte[] content) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The title as stored: a connector's (a page title, a mail subject) may be longer than the column. */
    private static String title(NewDocument offered) {
        String title = offered.title() != null && !offered.title().isBlank() ? offered.title().strip()
                : offered.fileName() != null ? offered.fileName() : "untitled";
        if (title.length() <= MAX_TITLE) {
            return title;
        }
        // never half a surrogate pair at the cut
        return title.substring(0, Character.isHighSurrogate(title.charAt(MAX_TITLE - 1)) ? MAX_TITLE - 1 : MAX_TITLE);
    }
}
