-- Every tenant-owned row (but the usage ledger, which outlives its tenant) references its tenant, with
-- ON DELETE CASCADE, as on PostgreSQL: erasure's final DELETE FROM tenants removes whatever a write in flight
-- added meanwhile (TenantTransactions fences the writes of this process), and a write after it fails on the key.
-- Rows of tenants that no longer exist (left by an erasure that raced a write before this version) go first: a
-- tenant created again under the same id must not inherit them.
DELETE FROM api_keys WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM tenant_secrets WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM documents WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM document_payloads WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM quarantine WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM budget_usage WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM budget_reservations WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM budget_alerts WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM web_pages WHERE tenant_id NOT IN (SELECT id FROM tenants);
DELETE FROM messenger_messages WHERE tenant_id NOT IN (SELECT id FROM tenants);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE tenant_secrets ADD CONSTRAINT tenant_secrets_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE documents ADD CONSTRAINT documents_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE document_payloads ADD CONSTRAINT document_payloads_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE quarantine ADD CONSTRAINT quarantine_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE budget_usage ADD CONSTRAINT budget_usage_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE budget_reservations ADD CONSTRAINT budget_reservations_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE budget_alerts ADD CONSTRAINT budget_alerts_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE web_pages ADD CONSTRAINT web_pages_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE messenger_messages ADD CONSTRAINT messenger_messages_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
