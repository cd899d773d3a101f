package io.caravan.ingest;

import io.caravan.tenancy.TenantId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Versions of one source: a document indexed with the same {@code sourceUri} as earlier documents of the
 * tenant replaces them. Their chunks leave the store and they become {@code deleted}, so old and new
 * versions never answer side by side. The newest document (ids are time-ordered) always wins, whatever
 * order they finish in.
 */
@Component
class DocumentVersions {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentVersions.class);

    private final DocumentRegistry documents;
    private final Quarantine quarantine;
    private final ChunkRemovals removals;

    DocumentVersions(DocumentRegistry documents, Quarantine quarantine, ChunkRemovals removals) {
        this.documents = documents;
        this.quarantine = quarantine;
        this.removals = removals;
    }

    /** Called once a document is indexed: retires older versions, or this one if a newer one exists. */
    void supersedeOlder(TenantId tenant, Document indexed) {
        if (indexed.sourceUri() == null || indexed.sourceUri().isBlank()) {
            return;
        }
        for (Document other : documents.otherVersions(tenant, indexed.sourceUri(), indexed.documentId())) {
            boolean otherIsNewer = other.documentId().compareTo(indexed.documentId()) > 0;
            Document retired = otherIsNewer && other.status() == DocumentStatus.INDEXED ? indexed : other;
            if (retired == other && otherIsNewer) {
                continue; // a newer version still in the pipeline will retire this one when it lands
            }
            retire(tenant, retired, retired == indexed ? other : indexed);
        }
    }

    private void retire(TenantId tenant, Document retired, Document by) {
        documents.markDeleted(tenant, retired.documentId());
        quarantine.removeForDocument(tenant, retired.documentId());
        int chunks;
        try {
            chunks = removals.remove(tenant, retired.documentId());
        } catch (RuntimeException storeDown) {
            // owed now (ChunkRemovals retries it); the new version is indexed and the old one deleted either way
            LOG.warn("Document {} was replaced by {}, but its chunks could not be removed yet: {}",
                    retired.documentId(), by.documentId(), storeDown.toString());
            return;
        }
        LOG.info("Document {} ({} chunks) replaced by {}, a newer version of {}", retired.documentId(), chunks,
                by.documentId(), retired.sourceUri());
    }
}
