-- True when the current role would not be bound by the row-level security of V6: a superuser, a BYPASSRLS role or
-- the owner of the tables (who may switch it off). The hub refuses to start as such a role (RowSecurityCheck).
CREATE FUNCTION caravan_row_security_bypassed() RETURNS BOOLEAN
    LANGUAGE sql STABLE SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
    SELECT r.rolsuper OR r.rolbypassrls
           OR EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = current_schema() AND t.tablename = 'documents'
                      AND t.tableowner = current_user)
    FROM pg_roles r WHERE r.rolname = current_user
$$;
