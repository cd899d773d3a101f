package io.caravan.ingest;

import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Deleting documents and releasing quarantined ones back into the pipeline. */
@Component("documentLifecycle")
public class DocumentLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentLifecycle.class);

    private final DocumentRegistry documents;
    private final Quarantine quarantine;
    private final ChunkRemovals removals;

    public DocumentLifecycle(DocumentRegistry documents, Quarantine quarantine, ChunkRemovals removals) {
        this.documents = documents;
        this.quarantine = quarantine;
        this.removals = removals;
    }

    /**
     * Deletes a document of the exchange's tenant: registry first (no index worker can write it back then), then
     * its chunks. A document deleted before whose chunks could not be removed then is deleted again: its removal is
     * finished (and retried in the background meanwhile, {@link ChunkRemovals}); one fully deleted is not found.
     */
    public void delete(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        String documentId = exchange.getMessage().getMandatoryBody(String.class);
        Document document = documents.find(tenant, documentId)
                .filter(d -> d.status() != DocumentStatus.DELETED || d.chunks() > 0)
                .orElseThrow(() -> new DocumentNotFoundException(documentId));
        if (document.status() != DocumentStatus.DELETED) {
            documents.markDeleted(tenant, document.documentId());
        }
        quarantine.removeForDocument(tenant, document.documentId());
        int chunks = removals.remove(tenant, document.documentId());
        LOG.info("Deleted document {} ({} chunks)", documentId, chunks);
    }

    /** Takes a quarantined document out of the quarantine and marks it queued; the body becomes its id. */
    @Transactional
    public String release(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        String quarantineId = exchange.getMessage().getMandatoryBody(String.class);
        Quarantine.Item item = quarantine.find(tenant, quarantineId)
                .orElseThrow(() -> new DocumentNotFoundException(quarantineId));
        // both must change a row, or a concurrent retry got there first (the exception rolls back)
        if (!quarantine.remove(tenant, quarantineId) || !documents.requeue(tenant, item.documentId())) {
            throw new DocumentNotFoundException(quarantineId);
        }
        LOG.info("Released document {} from quarantine {}", item.documentId(), quarantineId);
        return item.documentId();
    }

    /**
     * Discards a quarantine entry: the document is given up, becomes {@code deleted} and releases its
     * content, so the same content can be sent again later.
     */
    @Transactional
    public void discard(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        String quarantineId = exchange.getMessage().getMandatoryBody(String.class);
        Quarantine.Item item = quarantine.find(tenant, quarantineId)
                .orElseThrow(() -> new DocumentNotFoundException(quarantineId));
        quarantine.remove(tenant, quarantineId);
        documents.markDeleted(tenant, item.documentId());
        LOG.info("Discarded document {} from quarantine {}", item.documentId(), quarantineId);
    }
}
