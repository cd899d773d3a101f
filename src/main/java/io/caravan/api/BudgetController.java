package io.caravan.api;

import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import io.caravan.usage.Budget;
import io.caravan.usage.TokenBudgets;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/budget}: the tenant's token usage in the current periods against its budgets. */
@RestController
class BudgetController {

    /** API.md's budget view; the reserved amounts (work in flight) are an extension. */
    record BudgetView(long llmTokensToday, Long llmTokensPerDay, long embeddingTokensThisMonth,
                      Long embeddingTokensPerMonth, long llmTokensReserved, long embeddingTokensReserved) {
    }

    private final TenantRegistry tenants;
    private final TokenBudgets budgets;

    BudgetController(TenantRegistry tenants, TokenBudgets budgets) {
        this.tenants = tenants;
        this.budgets = budgets;
    }

    @GetMapping(path = "/api/v1/budget", produces = MediaType.APPLICATION_JSON_VALUE)
    BudgetView budget(TenantId tenant) {
        TenantConfig.Budgets limits = tenants.require(tenant).config().budgets();
        TokenBudgets.Usage llm = budgets.usage(tenant, Budget.LLM_DAILY, limits.llmTokensPerDay());
        TokenBudgets.Usage embedding = budgets.usage(tenant, Budget.EMBEDDING_MONTHLY,
                limits.embeddingTokensPerMonth());
        return new BudgetView(llm.used(), llm.limit(), embedding.used(), embedding.limit(), llm.reserved(),
                embedding.reserved());
    }
}
