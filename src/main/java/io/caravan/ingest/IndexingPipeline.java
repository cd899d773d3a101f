package io.caravan.ingest;

import io.caravan.embedding.TextEmbedder;
import io.caravan.ingest.parse.DocumentParser;
import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantNotFoundException;
import io.caravan.tenancy.TenantRegistry;
import io.caravan.usage.Budget;
import io.caravan.usage.BudgetExceededException;
import io.caravan.usage.TokenBudgets;
import io.caravan.usage.UsageEvent;
import io.caravan.usage.UsageLedger;
import io.caravan.vector.TenantVectorStore;
import io.caravan.vector.VectorChunk;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The stages of the index-document route: fetch → parse → chunk → embed → upsert. Each takes the previous
 * stage's value as the message body, records its stage on the exchange (for the quarantine) and is timed.
 */
@Component("indexingPipeline")
public class IndexingPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(IndexingPipeline.class);
    /** Exchange property naming the stage in progress, read by the quarantine. */
    public static final String STAGE = "CaravanIngestStage";
    /** Exchange property with the document id, read by the quarantine. */
    public static final String DOCUMENT_ID = "CaravanDocumentId";

    public record Fetched(Document document, byte[] content, String fileName) {
    }

    public record Parsed(Document document, String text) {
    }

    public record Chunked(Document document, List<Chunker.Chunk> chunks) {
    }

    public record Embedded(Document document, List<VectorChunk> chunks, long tokens) {
    }

    /** Exchange property holding the embedding budget reservation of the document in progress. */
    public static final String RESERVATION = "CaravanEmbeddingReservation";

    private final DocumentRegistry registry;
    private final TenantRegistry tenants;
    private final Chunker chunker;
    private final TextEmbedder embedder;
    private final TenantVectorStore store;
    private final IngestSettings settings;
    private final TenantMetrics metrics;
    private final TokenBudgets budgets;
    private final DocumentVersions versions;
    private final DocumentParser parser;
    private final TransactionTemplate transactions;
    private final UsageLedger usage;
    private final ChunkRemovals removals;
    private final Clock clock;

    public IndexingPipeline(DocumentRegistry registry, TenantRegistry tenants, Chunker chunker,
                            TextEmbedder embedder, TenantVectorStore store,
                            IngestSettings settings, TenantMetrics metrics, TokenBudgets budgets,
                            DocumentVersions versions, DocumentParser parser, TransactionTemplate transactions,
                            UsageLedger usage, ChunkRemovals removals, Clock clock) {
        this.registry = registry;
        this.tenants = tenants;
        this.chunker = chunker;
        this.embedder = embedder;
        this.store = store;
        this.settings = settings;
        this.metrics = metrics;
        this.budgets = budgets;
        this.versions = versions;
        this.parser = parser;
        this.transactions = transactions;
        this.usage = usage;
        this.removals = removals;
        this.clock = clock;
    }

    /** Loads the accepted document; null (ending the route) when it is no longer waiting to be indexed. */
    public Fetched fetch(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        String documentId = exchange.getMessage().getMandatoryBody(String.class);
        exchange.setProperty(DOCUMENT_ID, documentId);
        exchange.setProperty(STAGE, "fetch");
        long start = System.nanoTime();
        // the document and its payload in one transaction
        DocumentRegistry.Queued queued = registry.findWithPayload(tenant, documentId).orElse(null);
        Document document = queued == null ? null : queued.document();
        if (document != null && document.status() == DocumentStatus.INDEXED) {
            // a redelivery of a version indexed before a crash that may have come before its older versions' retirement
            versions.supersedeOlder(tenant, document);
        }
        if (document == null || document.status() != DocumentStatus.QUEUED) {
            LOG.info("Document {} is no longer queued; nothing to index", documentId);
            return null;
        }
        boolean found = queued.payload() != null;
        metrics.ingestStage(tenant, document.sourceType(), "fetch", found ? "ok" : "error",
                Duration.ofNanos(System.nanoTime() - start));
        if (!found) {
            throw new IngestFailure("fetch", "fetch_failed", true,
                    "the accepted payload of " + documentId + " is missing");
        }
        return new Fetched(document, queued.payload().content(), queued.payload().fileName());
    }

    public Parsed parse(Exchange exchange) throws InvalidPayloadException {
        Fetched fetched = exchange.getMessage().getMandatoryBody(Fetched.class);
        exchange.setProperty(STAGE, "parse");
        TenantId tenant = TenantHeader.require(exchange);
        return timed(tenant, fetched.document(), "parse", () -> {
            // the type comes from the bytes; the file name is only a hint
            String normalised = TextNormaliser.normalise(
                    parser.parse(fetched.content(), fileName(fetched), parseTimeout(tenant)).text());
            if (normalised.isEmpty()) {
                throw new IngestFailure("parse", "empty_content", true, "the document has no text content");
            }
            return new Parsed(fetched.document(), normalised);
        });
    }

    /** Key of the idempotent consumer: sha256 of the normalised extracted text (scoped by tenant). */
    public String idempotencyKey(Exchange exchange) throws InvalidPayloadException {
        return TextNormaliser.sha256(exchange.getMessage().getMandatoryBody(Parsed.class).text());
    }

    /** The tenant already has a live document with this text: record this one as its duplicate. */
    public Document markDuplicate(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        Parsed parsed = exchange.getMessage().getMandatoryBody(Parsed.class);
        Document document = parsed.document();
        String owner = registry.findByTextHash(tenant, TextNormaliser.sha256(parsed.text()))
                .map(Document::documentId).orElse(null);
        if (registry.markDuplicate(tenant, document.documentId(), owner)) {
            metrics.ingestDocument(tenant, document.sourceType(), "duplicate");
            LOG.info("Document {} has the same text as {}; not indexed again", document.documentId(), owner);
        }
        return document;
    }

    public Chunked chunk(Exchange exchange) throws InvalidPayloadException {
        Parsed parsed = exchange.getMessage().getMandatoryBody(Parsed.class);
        exchange.setProperty(STAGE, "chunk");
        TenantId tenant = TenantHeader.require(exchange);
        return timed(tenant, parsed.document(), "chunk",
                () -> new Chunked(parsed.document(), chunker.chunkCounted(parsed.text(), maxChunks(tenant))));
    }

    public Embedded embed(Exchange exchange) throws InvalidPayloadException {
        Chunked chunked = exchange.getMessage().getMandatoryBody(Chunked.class);
        exchange.setProperty(STAGE, "embed");
        TenantId tenant = TenantHeader.require(exchange);
        Document document = chunked.document();
        return timed(tenant, document, "embed", () -> {
            // the chunker counted each chunk exactly (to keep it in the window): no second tokenizer pass
            long tokenCount = chunked.chunks().stream().mapToLong(Chunker.Chunk::tokens).sum();
            reserve(exchange, tenant, tokenCount);
            List<String> texts = chunked.chunks().stream().map(Chunker.Chunk::text).toList();
            // the chunker's input ids: the model does not tokenize the chunks a second time
            List<float[]> vectors = embedder.embedAllTokenized(texts,
                    chunked.chunks().stream().map(Chunker.Chunk::inputIds).toList());
            List<VectorChunk> chunks = new ArrayList<>(vectors.size());
            for (int i = 0; i < vectors.size(); i++) {
                chunks.add(new VectorChunk(document.documentId() + "#" + i, document.documentId(), i,
                        document.title(), document.sourceType(), document.sourceUri(), texts.get(i),
                        vectors.get(i)));
            }
            metrics.embeddingTokens(tenant, embedder.modelName(), tokenCount);
            return new Embedded(document, chunks, tokenCount);
        });
    }

    public Document upsert(Exchange exchange) throws InvalidPayloadException {
        Embedded embedded = exchange.getMessage().getMandatoryBody(Embedded.class);
        exchange.setProperty(STAGE, "upsert");
        TenantId tenant = TenantHeader.require(exchange);
        Document document = embedded.document();
        return timed(tenant, document, "upsert", () -> {
            store.replaceDocument(tenant, document.documentId(), embedded.chunks());
            TokenBudgets.Reservation reservation = exchange.getProperty(RESERVATION, TokenBudgets.Reservation.class);
            // the status change and the budget's usage commit together, so a crash cannot lose the usage
            boolean indexed;
            try {
                indexed = Boolean.TRUE.equals(transactions.execute(status -> {
                    boolean marked = registry.markIndexed(tenant, document.documentId(), embedded.chunks().size());
                    if (marked && reservation != null) {
                        budgets.commit(reservation, embedded.tokens());
                    }
                    if (marked) {
                        // the ledger's event commits with the status too: recorded once, and only if indexed
                        usage.record(UsageEvent.embedding(tenant, clock.instant(), "in-process",
                                embedder.modelName(), embedded.tokens(), document.documentId()));
                    }
                    return marked;
                }));
            } catch (TenantNotFoundException erasing) {
                // the tenant is being erased (or was): once that is over (the registry waits for it), the chunks
                // this delivery wrote go unless the document is still there (an erasure that gave up)
                try {
                    notIndexed(exchange, tenant, document, embedded.chunks().size());
                } catch (RuntimeException cleanUp) {
                    erasing.addSuppressed(cleanUp);
                }
                throw erasing;
            }
            if (!indexed) {
                notIndexed(exchange, tenant, document, embedded.chunks().size());
                return document;
            }
            exchange.removeProperty(RESERVATION);
            versions.supersedeOlder(tenant, document);
            metrics.ingestDocument(tenant, document.sourceType(), "indexed");
            LOG.info("Indexed document {} as {} chunks ({} tokens)", document.documentId(),
                    embedded.chunks().size(), embedded.tokens());
            return document;
        });
    }

    /**
     * The document left the queued state while this delivery worked on it. Its chunks go only if it was
     * deleted (or its tenant erased); if another delivery indexed it meanwhile, its chunks are the same.
     */
    private void notIndexed(Exchange exchange, TenantId tenant, Document document, int written) {
        releaseReservation(exchange);
        DocumentStatus now = registry.find(tenant, document.documentId()).map(Document::status).orElse(null);
        if (now == DocumentStatus.DELETED) {
            // owed before removed: a removal that fails now is still found after a crash
            registry.chunksWritten(tenant, document.documentId(), written);
        }
        if (now == null || now == DocumentStatus.DELETED) {
            removeChunks(tenant, document);
            LOG.info("Document {} was deleted while indexing; its chunks were removed", document.documentId());
        } else if (now == DocumentStatus.INDEXED) {
            // indexed by an earlier delivery, which may have failed before it retired the older versions
            versions.supersedeOlder(tenant, document);
            LOG.info("Document {} is already indexed; nothing more to do", document.documentId());
        } else {
            LOG.info("Document {} is already {}; nothing more to do", document.documentId(), now.wire());
        }
    }

    /** Removes the document's chunks, and the tenant's whole store if the tenant is gone meanwhile. */
    private void removeChunks(TenantId tenant, Document document) {
        removals.remove(tenant, document.documentId()); // owed, and retried, if the store fails now
        if (!tenants.exists(tenant)) {
            store.deleteTenant(tenant); // erased meanwhile: leave nothing of it on disk
        }
    }

    /** Reserves the document's embedding tokens once; a redelivered embed step keeps its reservation. */
    private void reserve(Exchange exchange, TenantId tenant, long tokenCount) {
        if (exchange.getProperty(RESERVATION) != null) {
            return;
        }
        try {
            // the limit is the one the tenant's config sets now, read by the reservation statement itself
            exchange.setProperty(RESERVATION, budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, tokenCount));
        } catch (BudgetExceededException e) {
            throw new IngestFailure("embed", "budget_exceeded", true, e.getMessage());
        }
    }

    /** Frees the reservation of a document that will not be indexed now (quarantined or deleted). */
    public void releaseReservation(Exchange exchange) {
        TokenBudgets.Reservation reservation = exchange.getProperty(RESERVATION, TokenBudgets.Reservation.class);
        if (reservation != null) {
            budgets.release(reservation);
            exchange.removeProperty(RESERVATION);
        }
    }

    private static String fileName(Fetched fetched) {
        if (fetched.fileName() != null) {
            return fetched.fileName();
        }
        return "text/markdown".equals(fetched.document().contentType()) ? "document.md" : "document.txt";
    }

    /** The tenant's parse time limit, or null for the hub's default. */
    private Duration parseTimeout(TenantId tenant) {
        return tenants.config(tenant).limits().parseTimeLimit();
    }

    private int maxChunks(TenantId tenant) {
        Integer configured = tenants.config(tenant).limits().maxChunksPerDocument();
        return configured != null ? configured : settings.maxChunksPerDocument();
    }

    private <T> T timed(TenantId tenant, Document document, String stage, Supplier<T> work) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = work.get();
            outcome = "ok";
            return result;
        } finally {
            metrics.ingestStage(tenant, document.sourceType(), stage, outcome,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
