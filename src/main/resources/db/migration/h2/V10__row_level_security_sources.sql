-- PostgreSQL enables row-level security on the sources' tables at this version; H2 has none (every query of
-- these tables carries its tenant_id condition and runs in a TenantTransactions transaction).
SELECT 1;
