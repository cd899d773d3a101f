-- Every tenant-owned row (but the usage ledger, which outlives its tenant) references its tenant, with
-- ON DELETE CASCADE. This fences offboarding against writes in flight, across replicas: a transaction inserting
-- a tenant's row holds a key-share lock on the tenant row until it commits, so erasure's final
-- DELETE FROM tenants waits for it and then removes what it wrote; a write after that fails on the key.
-- Referential actions and checks bypass row-level security, so the cascade reaches every row of the tenant.
-- Rows of tenants that no longer exist (left by an erasure that raced a write before this version) are deleted
-- first: a tenant created again under the same id must not inherit them. The owner runs this migration and
-- sees every row only while the table's FORCE is lifted, inside this migration's transaction.
-- Each table already has an index led by tenant_id (its key or a tenant index), which the cascade uses.
DO $$
DECLARE
    t text;
    orphans bigint;
BEGIN
    FOREACH t IN ARRAY ARRAY['api_keys', 'tenant_secrets', 'documents', 'document_payloads', 'quarantine',
                             'budget_usage', 'budget_reservations', 'budget_alerts', 'web_pages',
                             'messenger_messages'] LOOP
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('DELETE FROM %I x WHERE NOT EXISTS (SELECT 1 FROM tenants WHERE tenants.id = x.tenant_id)', t);
        GET DIAGNOSTICS orphans = ROW_COUNT;
        IF orphans > 0 THEN
            RAISE NOTICE 'deleted % row(s) of erased tenants from %', orphans, t;
        END IF;
        -- validated while FORCE is lifted: one query over the table instead of a check per row
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (tenant_id) REFERENCES tenants (id) '
                       'ON DELETE CASCADE', t, t || '_tenant');
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    END LOOP;
END
$$;
