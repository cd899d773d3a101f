package io.caravan.usage;

import io.caravan.tenancy.TenantId;

/** A reservation that does not fit the tenant's remaining budget. */
public class BudgetExceededException extends RuntimeException {

    public BudgetExceededException(TenantId tenant, Budget budget, long tokens, long used, long reserved, long limit) {
        super("budget " + budget.key() + " of tenant " + tenant + " cannot take " + tokens + " more tokens ("
                + used + " used, " + reserved + " reserved, limit " + limit + ")");
    }
}
