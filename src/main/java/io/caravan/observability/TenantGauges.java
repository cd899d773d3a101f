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
    private final Map<String, Meter> registered = new ConcurrentHashMap<>();

    public TenantGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    public void quarantine(TenantId tenant, Supplier<Number> count) {
        registered.computeIfAbsent(tenant.value() + "|quarantine", key -> Gauge
                .builder(MetricNames.QUARANTINE_DOCUMENTS, count)
                .description("Documents waiting in the quarantine")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .strongReference(true)
                .register(registry));
    }

    public void budgetRatio(TenantId tenant, String budget, Supplier<Number> ratio) {
        registered.computeIfAbsent(tenant.value() + "|budget|" + budget, key -> Gauge
                .builder(MetricNames.BUDGET_USED_RATIO, ratio)
                .description("Share of the tenant's budget used in the current period (0 when unlimited)")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("budget", budget)
                .strongReference(true)
                .register(registry));
    }

    /** State of the tenant's circuit breaker for a provider: 0 closed, 1 open, 2 half-open. */
    public void circuitBreaker(TenantId tenant, String provider, Supplier<Number> state) {
        registered.computeIfAbsent(tenant.value() + "|breaker|" + provider, key -> Gauge
                .builder(MetricNames.CIRCUIT_BREAKER_STATE, state)
                .description("State of the tenant's LLM provider circuit breaker (0 closed, 1 open, 2 half-open)")
                .tag(MetricNames.TENANT_TAG, tenant.value())
                .tag("llm_provider", provider)
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
