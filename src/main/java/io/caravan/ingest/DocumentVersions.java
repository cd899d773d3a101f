package io.caravan.ingest;

import io.caravan.observability.TenantMdc;
import io.caravan.tenancy.Tenant;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
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
    private final TenantRegistry tenants;

    DocumentVersions(DocumentRegistry documents, Quarantine quarantine, ChunkRemovals removals,
                     TenantRegistry tenants) {
        this.tenants = tenants;
        this.documents = documents;
        this.quarantine = quarantine;
        this.removals = removals;
    }

    /**
     * Versions a crash left side by side (it came between a version's indexing and the retirement of the older
     * ones, two commits): retired at start-up, so the older never answers beside the newer for long.
     */
    @EventListener(ApplicationReadyEvent.class)
    public void retireLeftovers() {
        for (Tenant tenant : tenants.list()) {
            try (TenantMdc.Scope scope = TenantMdc.open(tenant.id())) {
                for (Document newest : documents.newestOfSourcesIndexedTwice(tenant.id())) {
                    LOG.info("Document {} and an older version of {} were both indexed; retiring the older",
                            newest.documentId(), newest.sourceUri());
                    try {
                        supersedeOlder(tenant.id(), newest);
                    } catch (RuntimeException e) {
                        LOG.warn("Could not retire the older versions of {}: {}", newest.sourceUri(), e.toString());
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not look for versions of tenant {} left side by side: {}", tenant.id(), e.toString());
            }
        }
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
