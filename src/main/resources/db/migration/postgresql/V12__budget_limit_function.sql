-- A tenant's token budget limit as its current config says (null: unlimited), read by the reservation statement
-- itself: a limit changed through any replica holds for the next reservation, whatever the replicas have cached.
-- The budget keys and config fields are those of io.caravan.usage.Budget (H2: H2Functions.budgetLimit).
CREATE FUNCTION caravan_budget_limit(p_config TEXT, p_budget VARCHAR) RETURNS BIGINT
    LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    CASE p_budget
        WHEN 'embedding_monthly' THEN RETURN (p_config::jsonb #>> '{budgets,embeddingTokensPerMonth}')::bigint;
        WHEN 'llm_daily' THEN RETURN (p_config::jsonb #>> '{budgets,llmTokensPerDay}')::bigint;
        ELSE RAISE EXCEPTION 'unknown budget %', p_budget;
    END CASE;
END
$$;
REVOKE ALL ON FUNCTION caravan_budget_limit(TEXT, VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caravan_budget_limit(TEXT, VARCHAR) TO ${app_role};
