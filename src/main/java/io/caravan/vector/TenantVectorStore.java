package io.caravan.vector;

import io.caravan.tenancy.TenantId;
import java.util.List;

/**
 * The only way to vectors. Every method takes the tenant; implementations keep a separate store per tenant,
 * stamp each chunk with its tenant and re-check the stamp on every read.
 */
public interface TenantVectorStore {

    /** Replaces all chunks of a document with these, atomically. */
    void replaceDocument(TenantId tenant, String documentId, List<VectorChunk> chunks);

    /**
     * The tenant's {@code topK} chunks nearest to the query, best first. A match's chunk may come without its
     * stored vector (an empty array): nothing after a search needs it, and fetching it costs time.
     */
    List<VectorMatch> search(TenantId tenant, float[] query, int topK);

    /** Removes a document's chunks; returns how many were removed. */
    int deleteDocument(TenantId tenant, String documentId);

    /** Removes the tenant's whole store; returns how many chunks it held. */
    int deleteTenant(TenantId tenant);

    int countChunks(TenantId tenant);
}
