package io.caravan.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.caravan.ingest.Document;
import io.caravan.secrets.SecretInfo;
import io.caravan.tenancy.Tenant;
import io.caravan.tenancy.TenantConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request and response bodies of the HTTP API (API.md). */
final class Dtos {

    private Dtos() {
    }

    record CreateTenantRequest(String id, String displayName) {
    }

    record ConfigView(@JsonUnwrapped TenantConfig config, int version) {
    }

    record TenantView(String id, String displayName, Instant createdAt, Instant updatedAt, ConfigView config) {
        static TenantView of(Tenant tenant) {
            return new TenantView(tenant.id().value(), tenant.displayName(), tenant.createdAt(), tenant.updatedAt(),
                    new ConfigView(tenant.config(), tenant.configVersion()));
        }
    }

    record Items<T>(List<T> items) {
    }

    record Page<T>(List<T> items, String nextCursor) {
    }

    record CreateKeyRequest(String name) {
    }

    record KeyCreated(String keyId, String apiKey) {
        /** Spring logs bodies with toString() at DEBUG: the key must not go with them. */
        @Override
        public String toString() {
            return "KeyCreated[keyId=" + keyId + ", apiKey=(redacted)]";
        }
    }

    record SecretValue(String value) {
        /** Spring logs request bodies with toString() at DEBUG: the value must not go with them. */
        @Override
        public String toString() {
            return "SecretValue[value=(redacted)]";
        }
    }

    record SecretView(String name, Instant updatedAt) {
        static SecretView of(SecretInfo info) {
            return new SecretView(info.name(), info.updatedAt());
        }
    }

    record DocumentRequest(String title, String text, String sourceUri, Map<String, Object> metadata) {
    }

    record DocumentAccepted(String documentId, String status) {
    }

    /** API.md's document; {@code duplicateOf} is an extension for documents found to repeat another's text. */
    record DocumentView(String documentId, String status, String title, String sourceType, String sourceUri,
                        int chunks, Instant createdAt, Instant indexedAt, String duplicateOf) {
        static DocumentView of(Document d) {
            return new DocumentView(d.documentId(), d.status().wire(), d.title(), d.sourceType(), d.sourceUri(),
                    d.chunks(), d.createdAt(), d.indexedAt(), d.duplicateOf());
        }
    }

    record QueryRequest(String question, Integer topK, String criticality) {
    }

    record QuarantineView(String id, String documentId, String sourceType, String sourceUri, String stage,
                          String reason, String error, int attempts, Instant quarantinedAt) {
    }

    /** API.md's source entry of {@code GET /api/v1/sources}. */
    record SourceView(String id, String type, String state, Instant lastRunAt, long itemsSeen, String lastError) {
    }

    record ErasureReport(String tenant, int documents, int chunks, int secrets, int keys, int cacheEntries,
                         int quarantined) {
    }
}
