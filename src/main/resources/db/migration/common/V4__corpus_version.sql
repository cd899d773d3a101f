-- Incremented whenever a tenant's searchable corpus changes (a document indexed or removed): part of the
-- answer cache key, so a cached answer never outlives the documents it was built from.
ALTER TABLE tenants ADD COLUMN corpus_version BIGINT DEFAULT 0 NOT NULL;
