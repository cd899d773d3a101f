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

    /** How long an erased tenant's late work records no meters. */
    static final Duration FORGOTTEN_FOR = Duration.ofMinutes(2);

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

    /**
     * Tenants erased a moment ago (until when, {@link System#nanoTime}): work of theirs still finishing records
     * nothing, so their meters do not come back after {@link #forget}.
     */
    private final Map<String, Long> forgotten = new ConcurrentHashMap<>();

    public TenantMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Whether the tenant was erased within the last {@link #FORGOTTEN_FOR}: its late meters are not recorded. */
    boolean forgotten(String tenant) {
        if (forgotten.isEmpty()) {
            return false;
        }
        Long until = forgotten.get(tenant);
        if (until == null) {
            return false;
        }
        if (System.nanoTime() - until < 0) {
            return true;
        }
        forgotten.remove(tenant, until);
        return false;
    }

    /** A tenant created (again) under this id: its meters count from now on. */
    public void revive(TenantId tenant) {
        forgotten.remove(tenant.value());
    }

    public void ingestDocument(TenantId tenant, String sourceType, String outcome) {
        if (forgotten(tenant.value())) {
            return;
        }
        Counter.builder(MetricNames.INGEST_DOCUMENTS)
                .description("Documents leaving the ingestion pipeline, by outcome")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("source_type", sourceType)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void ingestStage(TenantId tenant, String sourceType, String stage, String outcome, Duration took) {
        if (forgotten(tenant.value())) {
            return;
        }
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
        if (forgotten(tenant.value())) {
            return;
        }
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
        if (forgotten(tenant.value())) {
            return;
        }
        Counter.builder(MetricNames.MESSENGER_MESSAGES)
                .description("Messenger messages by outcome of the mid de-duplication")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void embeddingTokens(TenantId tenant, String model, long tokens) {
        if (forgotten(tenant.value())) {
            return;
        }
        Counter.builder(MetricNames.EMBEDDING_TOKENS)
                .description("Tokens sent to the embedding model")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("model", model)
                .register(registry)
                .increment(tokens);
    }

    /** Tokens of LLM and embedding calls, as the usage ledger recorded them: prompt, completion or embedding. */
    public void llmTokens(TenantId tenant, String provider, String model, String kind, long tokens) {
        if (forgotten(tenant.value())) {
            return;
        }
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
        if (forgotten(tenant.value())) {
            return;
        }
        questionEmbeddings.computeIfAbsent(new EmbeddingMeter(tenant.value(), early), m ->
                Counter.builder(MetricNames.QUERY_EMBEDDINGS)
                        .description("Questions embedded for retrieval, by where the embedding was started")
                        .tag(MetricNames.TENANT_TAG, m.tenant())
                        .tag("started", m.early() ? "early" : "in_route")
                        .register(registry))
                .increment();
    }

    public void llmRequest(TenantId tenant, String provider, String model, String outcome) {
        if (forgotten(tenant.value())) {
            return;
        }
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
        if (forgotten(tenant.value())) {
            return;
        }
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
        // counted even for a tenant just erased: a security signal is never dropped
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
        // the erased tenant's work still finishing (an index worker after its fenced commit, a query) records
        // nothing for a while, so no meter of it reappears
        forgotten.put(tenant.value(), System.nanoTime() + FORGOTTEN_FOR.toNanos());
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
