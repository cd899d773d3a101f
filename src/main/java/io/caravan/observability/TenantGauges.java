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
 * Per-tenant gauges read from the stores at scrape time: {@code rag_quarantine_documents} and
 * {@code rag_budget_used_ratio}. Registered once per tenant, removed when the tenant is erased.
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
