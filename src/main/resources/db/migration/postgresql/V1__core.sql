-- Core relational state (PostgreSQL). Every tenant-owned table carries tenant_id and is keyed by it.
-- Same tables as the H2 V1 and V6, with PostgreSQL types: payloads are BYTEA (H2 stored base64 until V6).
CREATE TABLE tenants (
    id              VARCHAR(40)  NOT NULL PRIMARY KEY,
    display_name    VARCHAR(200) NOT NULL,
    config_json     TEXT         NOT NULL,
    config_version  INT          NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE api_keys (
    key_id      VARCHAR(40)  NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(40)  NOT NULL,
    name        VARCHAR(200) NOT NULL,
    key_hash    VARCHAR(64)  NOT NULL UNIQUE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE tenant_secrets (
    tenant_id   VARCHAR(40)  NOT NULL,
    name        VARCHAR(200) NOT NULL,
    ciphertext  TEXT         NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE documents (
    tenant_id     VARCHAR(40)  NOT NULL,
    document_id   VARCHAR(40)  NOT NULL,
    title         VARCHAR(1000) NOT NULL,
    source_type   VARCHAR(20)  NOT NULL,
    source_uri    VARCHAR(2000),
    content_type  VARCHAR(200) NOT NULL,
    content_hash  VARCHAR(64),
    status        VARCHAR(20)  NOT NULL,
    chunks        INT          NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    indexed_at    TIMESTAMP WITH TIME ZONE,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, document_id)
);
-- idempotence: one live document per tenant and content (deleted documents release their hash)
CREATE UNIQUE INDEX documents_tenant_hash ON documents (tenant_id, content_hash);
CREATE INDEX documents_tenant_status ON documents (tenant_id, status, created_at);

-- the accepted bytes of a document, kept until it is indexed so nothing accepted is lost
CREATE TABLE document_payloads (
    tenant_id     VARCHAR(40)  NOT NULL,
    document_id   VARCHAR(40)  NOT NULL,
    file_name     VARCHAR(1000),
    body          BYTEA        NOT NULL,
    PRIMARY KEY (tenant_id, document_id)
);

CREATE TABLE quarantine (
    id              VARCHAR(40)  NOT NULL PRIMARY KEY,
    tenant_id       VARCHAR(40)  NOT NULL,
    document_id     VARCHAR(40)  NOT NULL,
    source_type     VARCHAR(20)  NOT NULL,
    source_uri      VARCHAR(2000),
    stage           VARCHAR(20)  NOT NULL,
    reason          VARCHAR(40)  NOT NULL,
    error           VARCHAR(4000) NOT NULL,
    attempts        INT          NOT NULL,
    quarantined_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX quarantine_tenant ON quarantine (tenant_id, quarantined_at);
