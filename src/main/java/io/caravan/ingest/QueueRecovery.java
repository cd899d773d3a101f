package io.caravan.ingest;

import io.caravan.tenancy.TenantHeader;
import java.util.List;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * After a restart, re-enqueues every document that was accepted but not finished. Re-indexing is
 * idempotent (a document's chunks are replaced, never added beside), so a document that was already
 * half-way through is simply done again.
 */
@Component
class QueueRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(QueueRecovery.class);

    private final DocumentRegistry documents;
    private final ProducerTemplate producer;

    QueueRecovery(DocumentRegistry documents, ProducerTemplate producer) {
        this.documents = documents;
        this.producer = producer;
    }

    @EventListener(ApplicationReadyEvent.class)
    void resume() {
        List<Document> queued = documents.allQueued();
        for (Document document : queued) {
            producer.sendBodyAndHeaders("direct:enqueue-document", document.documentId(),
                    TenantHeader.headers(document.tenant()));
        }
        if (!queued.isEmpty()) {
            LOG.info("Resumed {} accepted document(s) that were not finished before the last stop", queued.size());
        }
    }
}
