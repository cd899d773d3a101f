package io.caravan.ingest;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Hub-wide ingestion defaults, used where a tenant's config sets no limit.
 *
 * @param maxDocumentBytes     largest accepted document
 * @param maxChunksPerDocument most chunks one document may produce
 * @param maxAttempts          pipeline attempts for transient failures before quarantine
 * @param documentsPerSecond   per-tenant indexing rate cap
 */
@ConfigurationProperties("caravan.ingest")
public record IngestSettings(
        @DefaultValue("10485760") long maxDocumentBytes,
        @DefaultValue("2000") int maxChunksPerDocument,
        @DefaultValue("3") int maxAttempts,
        @DefaultValue("50") int documentsPerSecond) {
}
