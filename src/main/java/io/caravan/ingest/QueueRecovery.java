package io.caravan.ingest;

import io.caravan.tenancy.TenantHeader;
import io.caravan.usage.TokenBudgets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * After a restart, re-enqueues every document that was accepted but not finished. Re-indexing is
 * idempotent (a document's chunks are replaced, never added beside; only a queued document is indexed, and
 * only once), so a document that was already half-way through is simply done again.
 *
 * <p>With several replicas sharing the database ({@code caravan.replicas.requeue-after} set), a replica may
 * die between recording a document and enqueuing it, and never restart: every replica therefore sweeps
 * periodically, re-enqueuing documents still queued that long after their last enqueue, and releasing budget
 * reservations older than their lease ({@link TokenBudgets#releaseExpired()}).
 */
@Component
class QueueRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(QueueRecovery.class);

    private final DocumentRegistry documents;
    private final ProducerTemplate producer;
    private final TokenBudgets budgets;
    private final Clock clock;
    private final Duration requeueAfter;
    private final Duration sweepInterval;
    private ScheduledExecutorService sweeper;

    QueueRecovery(DocumentRegistry documents, ProducerTemplate producer, TokenBudgets budgets, Clock clock,
                  @Value("${caravan.replicas.requeue-after:0s}") Duration requeueAfter,
                  @Value("${caravan.replicas.sweep-interval:1m}") Duration sweepInterval) {
        this.documents = documents;
        this.producer = producer;
        this.budgets = budgets;
        this.clock = clock;
        this.requeueAfter = requeueAfter;
        this.sweepInterval = sweepInterval;
    }

    @EventListener(ApplicationReadyEvent.class)
    void resume() {
        List<Document> queued = documents.allQueued();
        enqueue(queued);
        if (!queued.isEmpty()) {
            LOG.info("Resumed {} accepted document(s) that were not finished before the last stop", queued.size());
        }
        if (!requeueAfter.isZero() && sweeper == null) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "replica-sweep");
                thread.setDaemon(true);
                return thread;
            });
            sweeper.scheduleWithFixedDelay(this::sweep, sweepInterval.toMillis(), sweepInterval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Re-enqueues documents queued too long (their replica may have died before enqueuing them). */
    void sweep() {
        try {
            budgets.releaseExpired();
            List<Document> stale = documents.claimStaleQueued(clock.instant().minus(requeueAfter));
            enqueue(stale);
            if (!stale.isEmpty()) {
                LOG.info("Re-enqueued {} document(s) still queued {} after their last enqueue", stale.size(),
                        requeueAfter);
            }
        } catch (RuntimeException e) {
            // the next sweep tries again
            LOG.warn("The replica sweep failed: {}", e.toString());
        }
    }

    @EventListener(ContextClosedEvent.class)
    void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    private void enqueue(List<Document> queued) {
        for (Document document : queued) {
            producer.sendBodyAndHeaders("direct:enqueue-document", document.documentId(),
                    TenantHeader.headers(document.tenant()));
        }
    }
}
