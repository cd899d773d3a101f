package io.caravan.ingest;

import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.springframework.stereotype.Component;

/**
 * Lets a caller wait until documents reach a final state (indexed, duplicate, quarantined or deleted) without
 * polling: every exchange that leaves the index-document route completes the future of its document. The
 * notification is per replica; whatever is indexed elsewhere is caught by the registry check at the deadline.
 */
@Component
public class DocumentOutcomes extends EventNotifierSupport {

    /** Route id of the indexing flow (routes/index-document.camel.yaml). */
    static final String INDEX_ROUTE = "index-document";
    private static final Set<DocumentStatus> FINAL = EnumSet.of(DocumentStatus.INDEXED, DocumentStatus.DUPLICATE,
            DocumentStatus.QUARANTINED, DocumentStatus.DELETED);

    private record Key(TenantId tenant, String documentId) {
    }

    private final DocumentRegistry registry;
    private final Map<Key, CompletableFuture<DocumentStatus>> waiting = new ConcurrentHashMap<>();

    public DocumentOutcomes(DocumentRegistry registry) {
        this.registry = registry;
    }

    /**
     * Waits at most {@code timeout} for every document to reach a final state; returns the status of each
     * (still {@code queued}, or absent, when the time ran out).
     */
    public Map<String, DocumentStatus> await(TenantId tenant, Collection<String> documentIds, Duration timeout) {
        Map<String, CompletableFuture<DocumentStatus>> futures = new LinkedHashMap<>();
        for (String id : documentIds) {
            Key key = new Key(tenant, id);
            // registered before the registry is read, so an outcome between the two is never missed
            CompletableFuture<DocumentStatus> future = waiting.computeIfAbsent(key, k -> new CompletableFuture<>());
            futures.put(id, future);
            finalStatus(key).ifPresent(status -> complete(key, status));
        }
        try {
            CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // fall through: the registry decides below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, DocumentStatus> outcome = new LinkedHashMap<>();
        futures.forEach((id, future) -> {
            Key key = new Key(tenant, id);
            waiting.remove(key, future);
            DocumentStatus status = future.isDone() && !future.isCompletedExceptionally() ? future.join()
                    : registry.find(tenant, id).map(d -> d.status()).orElse(null);
            if (status != null) {
                outcome.put(id, status);
            }
        });
        return outcome;
    }

    public static boolean isFinal(DocumentStatus status) {
        return status != null && FINAL.contains(status);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (waiting.isEmpty() || !(event instanceof CamelEvent.ExchangeEvent exchangeEvent)) {
            return;
        }
        Exchange exchange = exchangeEvent.getExchange();
        if (!INDEX_ROUTE.equals(exchange.getFromRouteId())) {
            return;
        }
        String documentId = exchange.getProperty(IndexingPipeline.DOCUMENT_ID, String.class);
        TenantHeader.peek(exchange).ifPresent(tenant -> {
            if (documentId != null) {
                Key key = new Key(tenant, documentId);
                if (waiting.containsKey(key)) {
                    finalStatus(key).ifPresent(status -> complete(key, status));
                }
            }
        });
    }

    private java.util.Optional<DocumentStatus> finalStatus(Key key) {
        return registry.find(key.tenant(), key.documentId()).map(d -> d.status()).filter(DocumentOutcomes::isFinal);
    }

    private void complete(Key key, DocumentStatus status) {
        CompletableFuture<DocumentStatus> future = waiting.remove(key);
        if (future != null) {
            future.complete(status);
        }
    }
}
