package io.caravan.ingest;

import io.caravan.observability.TenantGauges;
import io.caravan.tenancy.Tenant;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import io.caravan.usage.Budget;
import io.caravan.usage.TokenBudgets;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Registers each tenant's ingestion gauges: quarantine size and embedding budget use. */
@Component
public class IngestGauges {

    private final TenantGauges gauges;
    private final Quarantine quarantine;
    private final TokenBudgets budgets;
    private final TenantRegistry tenants;

    public IngestGauges(TenantGauges gauges, Quarantine quarantine, TokenBudgets budgets, TenantRegistry tenants) {
        this.gauges = gauges;
        this.quarantine = quarantine;
        this.budgets = budgets;
        this.tenants = tenants;
    }

    @EventListener(ApplicationReadyEvent.class)
    void registerExisting() {
        tenants.list().stream().map(Tenant::id).forEach(this::ensure);
    }

    /** Idempotent: registers the tenant's gauges the first time it is seen. */
    public void ensure(TenantId tenant) {
        gauges.quarantine(tenant, () -> quarantine.count(tenant));
        gauges.budgetRatio(tenant, Budget.EMBEDDING_MONTHLY.key(), () -> ratio(tenant));
    }

    private double ratio(TenantId tenant) {
        Long limit = tenants.find(tenant).map(t -> t.config().budgets().embeddingTokensPerMonth()).orElse(null);
        if (limit == null || limit == 0) {
            return 0;
        }
        return (double) budgets.usage(tenant, Budget.EMBEDDING_MONTHLY, limit).used() / limit;
    }
}
