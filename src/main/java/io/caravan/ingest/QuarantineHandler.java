package io.caravan.ingest;

import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * Target of the index route's dead-letter channel: turns the failure on the exchange into a quarantine
 * entry with stage and reason. The entry is the document's only record of its failure, so a database error
 * while writing it is retried with back-off ({@code caravan.ingest.quarantine-write-attempts} attempts, from
 * {@code caravan.ingest.quarantine-write-backoff}, doubling: seconds, not minutes, as the queue's consumer waits).
 * Past them the dead-letter channel logs the error, and the document stays queued in the registry, where the
 * replica sweep and the next start find it (a Kafka offset is a high-water mark: withholding one record's
 * commit would not bring it back).
 */
@Component("quarantineHandler")
public class QuarantineHandler {

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineHandler.class);
    /** Exchange property: deliveries that failed, kept by the retry predicate. */
    static final String ATTEMPTS = "CaravanIngestAttempts";
    private static final Map<String, String> REASON_BY_STAGE = Map.of(
            "fetch", "fetch_failed", "parse", "parse_error", "chunk", "parse_error",
            "embed", "embed_failed", "upsert", "upsert_failed");

    private final Quarantine quarantine;
    private final DocumentRegistry documents;
    private final TenantMetrics metrics;
    private final IndexingPipeline pipeline;
    private final Retry writes;

    @Autowired
    public QuarantineHandler(Quarantine quarantine, DocumentRegistry documents, TenantMetrics metrics,
                             IndexingPipeline pipeline,
                             @Value("${caravan.ingest.quarantine-write-attempts:5}") int attempts,
                             @Value("${caravan.ingest.quarantine-write-backoff:500ms}") Duration backoff) {
        this.quarantine = quarantine;
        this.documents = documents;
        this.metrics = metrics;
        this.pipeline = pipeline;
        // the database's failures only: any of them, as an outage can surface as any (a few seconds are cheap)
        this.writes = Retry.of("quarantine-write", RetryConfig.custom()
                .maxAttempts(attempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(backoff, 2.0))
                .retryOnException(e -> e instanceof DataAccessException || e instanceof TransactionException)
                .build());
        writes.getEventPublisher().onRetry(event -> LOG.warn("Could not write a quarantine entry ({}), attempt {} "
                + "of {}: retrying in {} ms", event.getLastThrowable().toString(), event.getNumberOfRetryAttempts(),
                attempts, event.getWaitInterval().toMillis()));
    }

    /** The retry of the quarantine writes (tests watch its events). */
    Retry writes() {
        return writes;
    }

    public void record(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        // releasing a reservation and adding the entry are each one transaction, and both can be done twice
        writes.executeRunnable(() -> write(exchange, tenant));
    }

    private void write(Exchange exchange, TenantId tenant) {
        pipeline.releaseReservation(exchange);
        String documentId = exchange.getProperty(IndexingPipeline.DOCUMENT_ID, String.class);
        if (documentId == null) {
            documentId = exchange.getMessage().getBody(String.class);
        }
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String stage = exchange.getProperty(IndexingPipeline.STAGE, "fetch", String.class);
        String reason = REASON_BY_STAGE.getOrDefault(stage, "parse_error");
        if (failure instanceof IngestFailure ingest) {
            stage = ingest.stage();
            reason = ingest.reason();
        }
        String error = failure == null ? "unknown failure" : describe(failure);
        Document document = documents.find(tenant, documentId).orElse(null);
        if (document == null) {
            LOG.warn("Failed document {} is not in the registry; nothing to quarantine", documentId);
            return;
        }
        int attempts = attempts(exchange);
        quarantine.add(tenant, document, stage, reason, error, attempts).ifPresent(item -> {
            metrics.ingestDocument(tenant, document.sourceType(), "quarantined");
            LOG.warn("Quarantined document {} at stage {}: {} ({}) after {} attempt(s)", item.documentId(),
                    item.stage(), item.reason(), item.error(), attempts);
        });
    }

    private static int attempts(Exchange exchange) {
        return exchange.getProperty(ATTEMPTS, 1, Integer.class);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
