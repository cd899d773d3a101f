package io.caravan.observability;

import io.caravan.tenancy.TenantId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The hub's application meters. Every method takes the tenant, so a meter cannot be written without one. */
@Component
public class TenantMetrics {

    private final MeterRegistry registry;
    /** The meters every query writes, kept once registered: no builder, tag sorting or registry lookup per query. */
    private final Map<QueryMeter, Timer> queryTimers = new ConcurrentHashMap<>();
    private final Map<LlmMeter, Counter> llmCounters = new ConcurrentHashMap<>();
    private final Map<EmbeddingMeter, Counter> questionEmbeddings = new ConcurrentHashMap<>();

    private record QueryMeter(String tenant, String sourceType, String provider, boolean cacheHit) {
    }

    private record LlmMeter(String tenant, String provider, String model, String outcome) {
    }

    private record EmbeddingMeter(String tenant, boolean early) {
    }

    public TenantMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void ingestDocument(TenantId tenant, String sourceType, String outcome) {
        Counter.builder(MetricNames.INGEST_DOCUMENTS)
                .description("Documents leaving the ingestion pipeline, by outcome")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("source_type", sourceType)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void ingestStage(TenantId tenant, String sourceType, String stage, String outcome, Duration took) {
        Timer.builder(MetricNames.INGEST_STAGE)
                .description("Time spent in each ingestion stage")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("source_type", sourceType)
                .tag("stage", stage)
                .tag("outcome", outcome)
                .register(registry)
                .record(took);
    }

    public void queryLatency(TenantId tenant, String sourceType, String provider, boolean cacheHit, Duration took) {
        queryTimers.computeIfAbsent(new QueryMeter(tenant.value(), sourceType, provider, cacheHit), m ->
                Timer.builder(MetricNames.QUERY_LATENCY)
                        .description("End-to-end latency of a query")
                        .tag(MetricNames.TENANT_TAG, m.tenant())
                        .tag("source_type", m.sourceType())
                        .tag("llm_provider", m.provider())
                        .tag("cache_hit", Boolean.toString(m.cacheHit()))
                        .register(registry))
                .record(took);
    }

    /** Messenger messages offered by webhooks and backfills: {@code ingested}, {@code duplicate} (mid seen) or
     * {@code rejected} (refused by the intake). */
    public void messengerMessage(TenantId tenant, String outcome) {
        Counter.builder(MetricNames.MESSENGER_MESSAGES)
                .description("Messenger messages by outcome of the mid de-duplication")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void embeddingTokens(TenantId tenant, String model, long tokens) {
        Counter.builder(MetricNames.EMBEDDING_TOKENS)
                .description("Tokens sent to the embedding model")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("model", model)
                .register(registry)
                .increment(tokens);
    }

    /** Tokens of LLM and embedding calls, as the usage ledger recorded them: prompt, completion or embedding. */
    public void llmTokens(TenantId tenant, String provider, String model, String kind, long tokens) {
        Counter.builder(MetricNames.LLM_TOKENS)
                .description("Tokens used by LLM and embedding calls, by kind")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("llm_provider", provider)
                .tag("model", model)
                .tag("kind", kind)
                .register(registry)
                .increment(tokens);
    }

    /**
     * A question embedded for retrieval: {@code early} when it was started beside the versions read and the
     * hand-off to the route, {@code in_route} when every question-embedding thread was busy (or a likely cache
     * hit turned out a miss) and the route embedded it.
     */
    public void questionEmbedded(TenantId tenant, boolean early) {
        questionEmbeddings.computeIfAbsent(new EmbeddingMeter(tenant.value(), early), m ->
                Counter.builder(MetricNames.QUERY_EMBEDDINGS)
                        .description("Questions embedded for retrieval, by where the embedding was started")
                        .tag(MetricNames.TENANT_TAG, m.tenant())
                        .tag("started", m.early() ? "early" : "in_route")
                        .register(registry))
                .increment();
    }

    public void llmRequest(TenantId tenant, String provider, String model, String outcome) {
        llmCounters.computeIfAbsent(new LlmMeter(tenant.value(), provider, model, outcome), m ->
                Counter.builder(MetricNames.LLM_REQUESTS)
                        .description("LLM provider attempts, by outcome")
                        .tag(MetricNames.TENANT_TAG, m.tenant())
                        .tag("llm_provider", m.provider())
                        .tag("model", m.model())
                        .tag("outcome", m.outcome())
                        .register(registry))
                .increment();
    }

    public void budgetAlert(TenantId tenant, String budget, String threshold) {
        Counter.builder(MetricNames.BUDGET_ALERTS)
                .description("Budget alerts fired, once per threshold and period")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("budget", budget)
                .tag("threshold", threshold)
                .register(registry)
                .increment();
    }

    /** A store returned a chunk stamped with another tenant to this tenant (refused, never shown). */
    public void isolationViolation(TenantId tenant) {
        Counter.builder(MetricNames.ISOLATION_VIOLATIONS)
                .description("Vector store results refused because they carried another tenant's stamp")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .register(registry)
                .increment();
    }

    /**
     * Removes the tenant's counters and timers (its gauges are {@link TenantGauges}'): an erased tenant's names
     * and volumes leave the scrape, and a tenant created again under its id starts its series anew.
     */
    public void forget(TenantId tenant) {
        // out of the registry first: a meter cached after this is registered again by its builder
        registry.getMeters().stream()
                .filter(meter -> !(meter instanceof Gauge)
                        && tenant.value().equals(meter.getId().getTag(MetricNames.TENANT_TAG)))
                .toList()
                .forEach(registry::remove);
        queryTimers.keySet().removeIf(meter -> meter.tenant().equals(tenant.value()));
        llmCounters.keySet().removeIf(meter -> meter.tenant().equals(tenant.value()));
        questionEmbeddings.keySet().removeIf(meter -> meter.tenant().equals(tenant.value()));
    }

    /** Counts a request, exchange or call rejected because it carried no tenant. */
    public void tenantMissing(String surface) {
        Counter.builder(MetricNames.TENANT_MISSING)
                .description("Requests rejected for carrying no tenant")
                .tag("surface", surface)
                .register(registry)
                .increment();
    }
}
