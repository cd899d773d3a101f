-- Every tenant-owned row (but the usage ledger, which outlives its tenant) references its tenant, with
-- ON DELETE CASCADE, as on PostgreSQL: erasure's final DELETE FROM tenants removes whatever a write in flight
-- added meanwhile, and a write after it fails on the key. NOCHECK: rows already stored are not checked.
ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE tenant_secrets ADD CONSTRAINT tenant_secrets_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE documents ADD CONSTRAINT documents_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE document_payloads ADD CONSTRAINT document_payloads_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE quarantine ADD CONSTRAINT quarantine_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE budget_usage ADD CONSTRAINT budget_usage_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE budget_reservations ADD CONSTRAINT budget_reservations_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE budget_alerts ADD CONSTRAINT budget_alerts_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE web_pages ADD CONSTRAINT web_pages_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
ALTER TABLE messenger_messages ADD CONSTRAINT messenger_messages_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOCHECK;
