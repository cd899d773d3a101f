package io.caravan.vector;

import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantId;
import java.util.List;

/** Counts every refused foreign chunk as rag_isolation_violations_total of the tenant that asked, whatever the store. */
class MeteredVectorStore implements TenantVectorStore {

    private final TenantVectorStore store;
    private final TenantMetrics metrics;

    MeteredVectorStore(TenantVectorStore store, TenantMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public void replaceDocument(TenantId tenant, String documentId, List<VectorChunk> chunks) {
        store.replaceDocument(tenant, documentId, chunks);
    }

    @Override
    public List<VectorMatch> search(TenantId tenant, float[] query, int topK) {
        try {
            return store.search(tenant, query, topK);
        } catch (IsolationViolationException e) {
            metrics.isolationViolation(tenant);
            throw e;
        }
    }

    @Override
    public int deleteDocument(TenantId tenant, String documentId) {
        return store.deleteDocument(tenant, documentId);
    }

    @Override
    public int deleteTenant(TenantId tenant) {
        return store.deleteTenant(tenant);
    }

    @Override
    public int countChunks(TenantId tenant) {
        return store.countChunks(tenant);
    }
}
