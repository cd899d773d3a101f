-- A tenant's token budget limit as its current config says (null: unlimited), read by the reservation statement
-- itself: a limit changed through any replica holds for the next reservation, whatever the replicas have cached.
-- The budget keys and config fields are those of io.caravan.usage.Budget; anything but a whole number within
-- BIGINT is an error, never unlimited (H2: H2Functions.budgetLimit, which agrees).
CREATE FUNCTION caravan_budget_limit(p_config TEXT, p_budget VARCHAR) RETURNS BIGINT
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    field TEXT;
    limit_value JSONB;
    whole NUMERIC;
BEGIN
    CASE p_budget
        WHEN 'embedding_monthly' THEN field := 'embeddingTokensPerMonth';
        WHEN 'llm_daily' THEN field := 'llmTokensPerDay';
        ELSE RAISE EXCEPTION 'unknown budget %', p_budget;
    END CASE;
    limit_value := p_config::jsonb -> 'budgets' -> field;
    IF limit_value IS NULL OR jsonb_typeof(limit_value) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(limit_value) <> 'number' THEN
        RAISE EXCEPTION 'budgets.% is not a whole number of tokens: %', field, limit_value;
    END IF;
    whole := (limit_value #>> '{}')::numeric;
    IF whole <> trunc(whole) OR whole < -9223372036854775808 OR whole > 9223372036854775807 THEN
        RAISE EXCEPTION 'budgets.% is not a whole number of tokens: %', field, limit_value;
    END IF;
    RETURN whole::bigint;
END
$$;
REVOKE ALL ON FUNCTION caravan_budget_limit(TEXT, VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caravan_budget_limit(TEXT, VARCHAR) TO ${app_role};
