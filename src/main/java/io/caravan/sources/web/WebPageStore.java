package io.caravan.sources.web;

import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** What a web source last fetched per tenant, source and URL (durable, shared by replicas). */
@Repository
public class WebPageStore {

    /** The validators and links of a page as last ingested. */
    record Known(String etag, String lastModified, List<String> links) {
    }

    private static final int MAX_LINKS_CHARS = 900_000;

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;

    public WebPageStore(JdbcClient jdbc, TenantTransactions transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    Optional<Known> find(TenantId tenant, String sourceId, String url) {
        return transactions.call(tenant, () -> jdbc.sql("""
                SELECT etag, last_modified, links FROM web_pages
                WHERE tenant_id = :tenant AND source_id = :source AND url_hash = :hash""")
                .param("tenant", tenant.value())
                .param("source", sourceId)
                .param("hash", hash(url))
                .query((rs, row) -> new Known(rs.getString("etag"), rs.getString("last_modified"),
                        rs.getString("links") == null || rs.getString("links").isEmpty() ? List.of()
                                : Arrays.asList(rs.getString("links").split("\n"))))
                .optional());
    }

    void remember(TenantId tenant, String sourceId, String url, String etag, String lastModified, List<String> links) {
        transactions.run(tenant, () -> store(tenant, sourceId, url, etag, lastModified, links));
    }

    private void store(TenantId tenant, String sourceId, String url, String etag, String lastModified,
                       List<String> links) {
        String all = String.join("\n", links);
        String joined = all.length() > MAX_LINKS_CHARS ? all.substring(0, all.lastIndexOf('\n', MAX_LINKS_CHARS)) : all;
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        int updated = jdbc.sql("""
                UPDATE web_pages SET etag = :etag, last_modified = :lastModified, links = :links, fetched_at = :now
                WHERE tenant_id = :tenant AND source_id = :source AND url_hash = :hash""")
                .param("etag", etag).param("lastModified", lastModified).param("links", joined).param("now", now)
                .param("tenant", tenant.value()).param("source", sourceId).param("hash", hash(url))
                .update();
        if (updated == 0) {
            try {
                transactions.attempt(tenant, () -> jdbc.sql("""
                        INSERT INTO web_pages (tenant_id, source_id, url_hash, url, etag, last_modified, links, fetched_at)
                        VALUES (:tenant, :source, :hash, :url, :etag, :lastModified, :links, :now)""")
                        .param("tenant", tenant.value()).param("source", sourceId).param("hash", hash(url))
                        .param("url", url.length() > 2000 ? url.substring(0, 2000) : url)
                        .param("etag", etag).param("lastModified", lastModified).param("links", joined)
                        .param("now", now)
                        .update());
            } catch (org.springframework.dao.DuplicateKeyException raced) {
                // another crawl of the same source stored it a moment ago: either copy is current
            }
        }
    }

    /** Forgets every page of the tenant (erasure). */
    public int deleteAll(TenantId tenant) {
        return transactions.call(tenant, () -> jdbc.sql("DELETE FROM web_pages WHERE tenant_id = :tenant")
                .param("tenant", tenant.value()).update());
    }

    private static String hash(String url) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(url.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
