-- What the web source last fetched per tenant, source and URL: validators for conditional GETs (unchanged pages
-- answer 304 and are not ingested again) and the page's links, so a crawl goes on below an unchanged page.
CREATE TABLE web_pages (
    tenant_id      VARCHAR(40)   NOT NULL,
    source_id      VARCHAR(64)   NOT NULL,
    url_hash       VARCHAR(64)   NOT NULL,
    url            VARCHAR(2000) NOT NULL,
    etag           VARCHAR(1000),
    last_modified  VARCHAR(200),
    links          VARCHAR(1000000),
    fetched_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, source_id, url_hash)
);
