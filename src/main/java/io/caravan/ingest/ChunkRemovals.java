package io.caravan.ingest;

import io.caravan.observability.TenantMdc;
import io.caravan.tenancy.Tenant;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import io.caravan.vector.TenantVectorStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Removes a deleted document's chunks from the vector store, and finishes the removals that failed. A document is
 * marked deleted first (so no index worker can write it back) and keeps its chunk count until its chunks are gone:
 * {@code deleted} with chunks above zero is a removal still owed, which the next {@code DELETE} of the document,
 * a retry every {@code caravan.vector.removal-retry} and the next start-up each finish (a removal owed by a
 * replica that crashed is found when a replica starts). Queries never see those chunks meanwhile (retrieval keeps
 * only chunks of indexed documents).
 */
@Component
public class ChunkRemovals implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkRemovals.class);

    private record Owed(TenantId tenant, String documentId) {
    }

    private final DocumentRegistry documents;
    private final TenantRegistry tenants;
    private final TenantVectorStore store;
    /** Removals that failed in this process, retried until they succeed (or their tenant is gone). */
    private final Set<Owed> owed = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries;
    private final int page;

    @Autowired
    public ChunkRemovals(DocumentRegistry documents, TenantRegistry tenants, TenantVectorStore store,
                         @Value("${caravan.vector.removal-retry:30s}") Duration retryEvery) {
        this(documents, tenants, store, retryEvery, 500);
    }

    /** @param page how many owed removals one registry read at start-up returns */
    public ChunkRemovals(DocumentRegistry documents, TenantRegistry tenants, TenantVectorStore store,
                         Duration retryEvery, int page) {
        this.page = page;
        this.documents = documents;
        this.tenants = tenants;
        this.store = store;
        CustomizableThreadFactory threads = new CustomizableThreadFactory("chunk-removals-");
        threads.setDaemon(true);
        this.retries = Executors.newSingleThreadScheduledExecutor(threads);
        long period = Math.max(1, retryEvery.toMillis());
        retries.scheduleWithFixedDelay(this::retryOwed, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Removes the chunks of a document already marked deleted, and records that they are gone. A failure is
     * rethrown (the caller reports it) and the removal is retried later.
     *
     * @return the number of chunks removed
     */
    public int remove(TenantId tenant, String documentId) {
        try {
            int removed = store.deleteDocument(tenant, documentId);
            documents.chunksRemoved(tenant, documentId);
            owed.remove(new Owed(tenant, documentId));
            return removed;
        } catch (RuntimeException e) {
            owed.add(new Owed(tenant, documentId));
            throw e;
        }
    }

    /** Removals owed from before this start (a failure, then a crash or a restart). */
    @EventListener(ApplicationReadyEvent.class)
    public void findOwed() {
        for (Tenant tenant : tenants.list()) {
            try {
                String after = "";
                for (List<String> ids; !(ids = documents.awaitingChunkRemoval(tenant.id(), after, page)).isEmpty();
                     after = ids.get(ids.size() - 1)) {
                    ids.forEach(documentId -> owed.add(new Owed(tenant.id(), documentId)));
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not look for chunk removals owed to tenant {}: {}", tenant.id(), e.toString());
            }
        }
        if (!owed.isEmpty()) {
            retries.execute(this::retryOwed);
        }
    }

    /** Whether no removal is owed (for tests and health checks). */
    public boolean nothingOwed() {
        return owed.isEmpty();
    }

    private void retryOwed() {
        for (Owed removal : Set.copyOf(owed)) {
            try (TenantMdc.Scope scope = TenantMdc.open(removal.tenant())) {
                if (!tenants.exists(removal.tenant())) {
                    owed.remove(removal); // erased: its whole vector storage went with it
                    continue;
                }
                int removed = remove(removal.tenant(), removal.documentId());
                LOG.info("Removed the {} chunks of deleted document {} (an earlier removal had failed)", removed,
                        removal.documentId());
            } catch (RuntimeException e) {
                LOG.warn("The chunks of deleted document {} are still in the vector store ({}); retrying later",
                        removal.documentId(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
