-- H2 side of the PostgreSQL V6 (row-level security): the same function names, so the hub's SQL is one for both.
-- H2 has no row-level security; the embedded mode relies on every query's tenant_id condition.
-- set_config only answers its value here: the tenant setting is a PostgreSQL policy input.
CREATE ALIAS IF NOT EXISTS SET_CONFIG FOR 'io.caravan.config.H2Functions.setConfig';
CREATE ALIAS IF NOT EXISTS CARAVAN_API_KEY_TENANT FOR 'io.caravan.config.H2Functions.apiKeyTenant';
CREATE ALIAS IF NOT EXISTS CARAVAN_USAGE_BY_TENANT FOR 'io.caravan.config.H2Functions.usageByTenant';

-- Payloads become bytes (PostgreSQL: BYTEA) instead of base64 text: a third smaller, no encoding step.
CREATE ALIAS CARAVAN_BASE64_DECODE FOR 'io.caravan.config.H2Functions.base64Decode';
ALTER TABLE document_payloads ADD COLUMN content VARBINARY(1000000000);
UPDATE document_payloads SET content = CARAVAN_BASE64_DECODE(body);
ALTER TABLE document_payloads DROP COLUMN body;
ALTER TABLE document_payloads ALTER COLUMN content RENAME TO body;
ALTER TABLE document_payloads ALTER COLUMN body SET NOT NULL;
DROP ALIAS CARAVAN_BASE64_DECODE;
