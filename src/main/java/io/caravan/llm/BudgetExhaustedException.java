package io.caravan.llm;

import io.caravan.tenancy.TenantId;

/** The tenant's daily LLM token budget cannot take another call, and the tenant chose to reject (API: 429). */
public class BudgetExhaustedException extends RuntimeException {

    public BudgetExhaustedException(TenantId tenant, String provider) {
        super("the daily LLM token budget of tenant " + tenant + " is used up (at provider '" + provider + "')");
    }
}
