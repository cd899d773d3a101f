-- Messenger messages already ingested, by their message id (mid), per tenant: a replayed webhook, a retried
-- delivery or a backfill of the same conversation never ingests a message twice. The same mid for two tenants
-- is two rows (and two documents). Kept until the tenant is erased, so de-duplication survives restarts.
CREATE TABLE messenger_messages (
    tenant_id    VARCHAR(40)  NOT NULL,
    mid          VARCHAR(512) NOT NULL,
    source_id    VARCHAR(100) NOT NULL,
    document_id  VARCHAR(40),
    recorded_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, mid)
);
