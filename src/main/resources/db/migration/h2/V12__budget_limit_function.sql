-- H2 side of the PostgreSQL V12: the budget limit in a tenant's config, for the reservation statement.
CREATE ALIAS IF NOT EXISTS CARAVAN_BUDGET_LIMIT FOR 'io.caravan.config.H2Functions.budgetLimit';
