-- Row-level security: defence in depth for isolation surface 1 (the relational state). Every tenant-owned
-- table shows and accepts only the rows of the tenant set for the transaction with
-- SELECT set_config('caravan.tenant_id', <tenant>, true); without it a query sees no rows at all.
-- FORCE makes the policies bind the table owner too. The hub connects as ${app_role} (no BYPASSRLS, not
-- the owner); migrations run as the owner.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['api_keys', 'tenant_secrets', 'documents', 'document_payloads', 'quarantine',
                             'budget_usage', 'budget_reservations', 'budget_alerts', 'usage_events',
                             'usage_daily'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I '
                       'USING (tenant_id = current_setting(''caravan.tenant_id'', true)) '
                       'WITH CHECK (tenant_id = current_setting(''caravan.tenant_id'', true))', t);
    END LOOP;
END
$$;

-- The two lookups made before a tenant is known, as narrow SECURITY DEFINER functions of the owner; the owner
-- may read these two tables across tenants (and only read), the app role only through the functions.
CREATE POLICY key_lookup ON api_keys FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY usage_report ON usage_daily FOR SELECT TO CURRENT_USER USING (true);

-- the edge: API key hash -> the tenant owning the live key, nothing else
CREATE FUNCTION caravan_api_key_tenant(p_hash VARCHAR) RETURNS VARCHAR
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
    SELECT k.tenant_id FROM api_keys k WHERE k.key_hash = p_hash AND k.revoked_at IS NULL
$$;

-- the operator's usage report across tenants, including erased tenants whose ledger is kept (API.md)
CREATE FUNCTION caravan_usage_by_tenant(p_from DATE, p_to DATE)
    RETURNS TABLE (tenant_id VARCHAR, model VARCHAR, provider VARCHAR, kind VARCHAR, requests BIGINT,
                   prompt_tokens BIGINT, completion_tokens BIGINT, embedding_tokens BIGINT)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
    SELECT d.tenant_id, d.model, d.provider, d.kind, SUM(d.requests)::BIGINT, SUM(d.prompt_tokens)::BIGINT,
           SUM(d.completion_tokens)::BIGINT, SUM(d.embedding_tokens)::BIGINT
    FROM usage_daily d WHERE d.usage_day BETWEEN p_from AND p_to
    GROUP BY d.tenant_id, d.model, d.provider, d.kind
$$;

REVOKE ALL ON FUNCTION caravan_api_key_tenant(VARCHAR) FROM PUBLIC;
REVOKE ALL ON FUNCTION caravan_usage_by_tenant(DATE, DATE) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caravan_api_key_tenant(VARCHAR) TO ${app_role};
GRANT EXECUTE ON FUNCTION caravan_usage_by_tenant(DATE, DATE) TO ${app_role};

-- the app role reads and writes rows (through the policies), never the schema or the migration history
GRANT USAGE ON SCHEMA "${flyway:defaultSchema}" TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${flyway:defaultSchema}" TO ${app_role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${flyway:defaultSchema}" TO ${app_role};
REVOKE ALL ON "${flyway:table}" FROM ${app_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA "${flyway:defaultSchema}"
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA "${flyway:defaultSchema}" GRANT USAGE, SELECT ON SEQUENCES TO ${app_role};
