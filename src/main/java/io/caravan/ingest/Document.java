package io.caravan.ingest;

import io.caravan.tenancy.TenantId;
import java.time.Instant;

/** A document in the registry. */
public record Document(TenantId tenant, String documentId, String title, String sourceType, String sourceUri,
                       String contentType, String contentHash, DocumentStatus status, int chunks,
                       Instant createdAt, Instant indexedAt, String duplicateOf) {
}
