package io.caravan.observability;

import io.caravan.tenancy.TenantId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Per-tenant gauges read from the stores at scrape time: {@code rag_quarantine_documents},
 * {@code rag_budget_used_ratio} and {@code rag_circuit_breaker_state} (per LLM provider). Registered once per
 * tenant, removed when the tenant is erased.
 */
@Component
public class TenantGauges {

    private final MeterRegistry registry;
    private final TenantMetrics metrics;
    private final Map<String, Meter> registered = new ConcurrentHashMap<>();

    public TenantGauges(MeterRegistry registry, TenantMetrics metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    public void quarantine(TenantId tenant, Supplier<Number> count) {
        register(tenant, "quarantine", MetricNames.QUARANTINE_DOCUMENTS, "Documents waiting in the quarantine",
                count);
    }

    public void budgetRatio(TenantId tenant, String budget, Supplier<Number> ratio) {
        register(tenant, "budget|" + budget, MetricNames.BUDGET_USED_RATIO,
                "Share of the tenant's budget used in the current period (0 when unlimited)", ratio,
                "budget", budget);
    }

    /** State of the tenant's circuit breaker for a provider: 0 closed, 1 open, 2 half-open. */
    public void circuitBreaker(TenantId tenant, String provider, Supplier<Number> state) {
        register(tenant, "breaker|" + provider, MetricNames.CIRCUIT_BREAKER_STATE,
                "State of the tenant's LLM provider circuit breaker (0 closed, 1 open, 2 half-open)", state,
                "llm_provider", provider);
    }

    /** Registers a tenant's gauge once; {@code tags} are extra name/value pairs beside {@code tenant_id}. */
    private void register(TenantId tenant, String key, String name, String description, Supplier<Number> value,
                          String... tags) {
        if (metrics.forgotten(tenant.value())) {
            return; // erased a moment ago: its late work brings no gauge back
        }
        registered.computeIfAbsent(tenant.value() + "|" + key, k -> Gauge.builder(name, value)
                .description(description)
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tags(tags)
                .strongReference(true)
                .register(registry));
    }

    public void remove(TenantId tenant) {
        registered.entrySet().removeIf(entry -> {
            if (entry.getKey().startsWith(tenant.value() + "|")) {
                registry.remove(entry.getValue());
                return true;
            }
            return false;
        });
    }
}
