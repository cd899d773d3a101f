-- Every tenant-owned row (but the usage ledger, which outlives its tenant) references its tenant, with
-- ON DELETE CASCADE. This fences offboarding against writes in flight, across replicas: a transaction inserting
-- a tenant's row holds a key-share lock on the tenant row until it commits, so erasure's final
-- DELETE FROM tenants waits for it and then removes what it wrote; a write after that fails on the key.
-- Referential actions bypass row-level security, so the cascade reaches every row of the tenant.
-- NOT VALID: rows already stored are not checked (nothing is deleted by this migration); new rows are.
-- Each table already has an index led by tenant_id (its key or a tenant index), which the cascade uses.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['api_keys', 'tenant_secrets', 'documents', 'document_payloads', 'quarantine',
                             'budget_usage', 'budget_reservations', 'budget_alerts', 'web_pages',
                             'messenger_messages'] LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (tenant_id) REFERENCES tenants (id) '
                       'ON DELETE CASCADE NOT VALID', t, t || '_tenant');
    END LOOP;
END
$$;
