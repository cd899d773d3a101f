-- Token budgets: one row per tenant, budget and period (month or day), updated atomically.
CREATE TABLE budget_usage (
    tenant_id  VARCHAR(40) NOT NULL,
    budget     VARCHAR(40) NOT NULL,
    period     VARCHAR(10) NOT NULL,
    used       BIGINT      NOT NULL,
    reserved   BIGINT      NOT NULL,
    PRIMARY KEY (tenant_id, budget, period)
);

-- Outstanding reservations, so the ones of work interrupted by a crash can be released on start-up.
CREATE TABLE budget_reservations (
    id          VARCHAR(40) NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(40) NOT NULL,
    budget      VARCHAR(40) NOT NULL,
    period      VARCHAR(10) NOT NULL,
    tokens      BIGINT      NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX budget_reservations_tenant ON budget_reservations (tenant_id);

-- Idempotent consumer key: sha256 of the normalised extracted text, claimed by one live document per tenant.
ALTER TABLE documents ADD COLUMN text_hash VARCHAR(64);
ALTER TABLE documents ADD COLUMN duplicate_of VARCHAR(40);
CREATE UNIQUE INDEX documents_tenant_text_hash ON documents (tenant_id, text_hash);
CREATE INDEX documents_tenant_source_uri ON documents (tenant_id, source_uri);
