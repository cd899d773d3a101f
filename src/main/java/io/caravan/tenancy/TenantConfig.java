package io.caravan.tenancy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;

/**
 * A tenant's configuration document (API.md). Unknown fields are rejected by the JSON reader; {@code null}
 * budgets mean unlimited, {@code null} limits take the hub's defaults.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TenantConfig(String systemPrompt, Budgets budgets, Limits limits, Routing routing,
                           List<Source> sources) {

    public static TenantConfig empty() {
        return new TenantConfig(null, new Budgets(null, null, null, null), new Limits(null, null, null, null, null, null),
                new Routing(null, null), List.of());
    }

    public TenantConfig normalised() {
        return new TenantConfig(systemPrompt,
                budgets == null ? new Budgets(null, null, null, null) : budgets,
                limits == null ? new Limits(null, null, null, null, null, null) : limits,
                routing == null ? new Routing(null, null) : routing,
                sources == null ? List.of() : List.copyOf(sources));
    }

    /** {@code alertWebhookUrl} extends API.md: where budget alerts are POSTed, signed with a tenant secret. */
    public record Budgets(Long llmTokensPerDay, Long embeddingTokensPerMonth, List<Double> alertThresholds,
                          String alertWebhookUrl) {
    }

    /**
     * Per-tenant limits; {@code maxChunksPerDocument}, {@code ingestDocumentsPerSecond} and {@code parseTimeout}
     * extend API.md (the tenant's chunk guard, its indexing rate cap, and the wall-clock limit of parsing one of
     * its documents in a child JVM, an ISO-8601 duration from {@code PT0.001S} to {@code PT1M}).
     */
    public record Limits(Integer queriesPerMinute, Integer maxConcurrentLlmCalls, Long maxDocumentBytes,
                         Integer maxChunksPerDocument, Integer ingestDocumentsPerSecond,
                         // written only when set: a replica of an earlier version, which refuses unknown
                         // fields, still reads every config that does not use it (rolling upgrades)
                         @JsonInclude(JsonInclude.Include.NON_NULL) String parseTimeout) {

        /** The parse time limit, or null when the hub's default applies; the config API accepts only valid ones. */
        public Duration parseTimeLimit() {
            return parseTimeout == null || parseTimeout.isBlank() ? null : Duration.parse(parseTimeout);
        }
    }

    /**
     * Routing of the tenant's queries; {@code onBudgetExhausted} extends API.md: {@code reject} (default, 429
     * {@code budget_exhausted}) or {@code extractive} (answer locally when the daily LLM budget is used up).
     */
    public record Routing(String defaultCriticality, String onBudgetExhausted) {
    }

    /**
     * One source of the tenant; fields beyond id and type depend on the type. {@code pageTokenSecret} extends
     * API.md: the tenant secret holding a messenger source's page access token for the Graph API backfill
     * (default {@code messenger-page-token}).
     */
    public record Source(String id, String type, List<String> startUrls, Integer maxPages, Integer maxDepth,
                         String schedule, String query, String credentialsSecret, String pageId,
                         String appSecretSecret, String verifyTokenSecret, String pageTokenSecret) {
    }
}
