-- Row-level security for the tables of the sources (web pages seen, Messenger message ids), like V6 did for the
-- core tables: only the rows of the tenant set for the transaction are visible or writable.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['web_pages', 'messenger_messages'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I '
                       'USING (tenant_id = current_setting(''caravan.tenant_id'', true)) '
                       'WITH CHECK (tenant_id = current_setting(''caravan.tenant_id'', true))', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON web_pages, messenger_messages TO ${app_role};
