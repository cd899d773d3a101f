package io.caravan.ingest;

import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The durable quarantine: failed documents with stage, reason, error and attempts, per tenant. */
@Repository
public class Quarantine {

    /** One quarantined document. */
    public record Item(String id, TenantId tenant, String documentId, String sourceType, String sourceUri,
                       String stage, String reason, String error, int attempts, Instant quarantinedAt) {
    }

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final DocumentRegistry documents;
    private final DocumentIds ids;
    private final Clock clock;

    public Quarantine(JdbcClient jdbc, TenantTransactions transactions, DocumentRegistry documents, DocumentIds ids,
                      Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.documents = documents;
        this.ids = ids;
        this.clock = clock;
    }

    /** Records the failure and marks the document quarantined, in one transaction. */
    public Optional<Item> add(TenantId tenant, Document document, String stage, String reason, String error,
                              int attempts) {
        return transactions.call(tenant, () -> insert(tenant, document, stage, reason, error, attempts));
    }

    private Optional<Item> insert(TenantId tenant, Document document, String stage, String reason, String error,
                                  int attempts) {
        if (!documents.markQuarantined(tenant, document.documentId())) {
            return Optional.empty(); // deleted or finished meanwhile: nothing to quarantine
        }
        Item item = new Item(ids.next("q_"), tenant, document.documentId(), document.sourceType(),
                document.sourceUri(), stage, reason, truncate(error), attempts, clock.instant());
        insert(item);
        return Optional.of(item);
    }

    /**
     * Quarantines an item a source offered but could not hand over (its fetch failed, or it was too large, empty or
     * of an unsupported type): a document row quarantined at stage {@code fetch}, without payload (a retry fails at
     * fetch again; the source's next run fetches the item anew). The same source URI failing again for the same
     * reason updates its open entry (attempts + 1) instead of adding one per run.
     */
    public Item addUnaccepted(TenantId tenant, String title, String sourceType, String sourceUri, String contentType,
                              String reason, String error) {
        return transactions.call(tenant,
                () -> insertUnaccepted(tenant, title, sourceType, sourceUri, contentType, reason, error));
    }

    private Item insertUnaccepted(TenantId tenant, String title, String sourceType, String offeredUri,
                                  String contentType, String reason, String error) {
        Instant now = clock.instant();
        // an item refused for its over-long URI is still recorded (under the URI's first 2000 characters)
        String sourceUri = offeredUri == null ? null : clip(offeredUri, DocumentIntake.MAX_SOURCE_URI);
        if (sourceUri != null) {
            Optional<Item> open = jdbc.sql("""
                    SELECT * FROM quarantine WHERE tenant_id = :tenant AND source_uri = :uri AND reason = :reason
                    AND stage = 'fetch' ORDER BY quarantined_at DESC, id DESC LIMIT 1""")
                    .param("tenant", tenant.value())
                    .param("uri", sourceUri)
                    .param("reason", reason)
                    .query(Quarantine::map)
                    .optional();
            if (open.isPresent()) {
                Item again = new Item(open.get().id(), tenant, open.get().documentId(), sourceType, sourceUri, "fetch",
                        reason, truncate(error), open.get().attempts() + 1, now);
                jdbc.sql("""
                        UPDATE quarantine SET attempts = :attempts, error = :error, quarantined_at = :at
                        WHERE tenant_id = :tenant AND id = :id""")
                        .param("attempts", again.attempts())
                        .param("error", again.error())
                        .param("at", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                        .param("tenant", tenant.value())
                        .param("id", again.id())
                        .update();
                return again;
            }
        }
        String safeTitle = title == null || title.isBlank() ? (sourceUri == null ? "untitled" : sourceUri) : title.strip();
        Document document = new Document(tenant, ids.next("doc_"), clip(safeTitle, 1000), sourceType, sourceUri,
                contentType == null ? "application/octet-stream" : clip(contentType, 200), null,
                DocumentStatus.QUARANTINED, 0, now, null, null);
        documents.insertQuarantined(document);
        Item item = new Item(ids.next("q_"), tenant, document.documentId(), sourceType, sourceUri, "fetch", reason,
                truncate(error), 1, now);
        insert(item);
        return item;
    }

    private void insert(Item item) {
        jdbc.sql("""
                INSERT INTO quarantine (id, tenant_id, document_id, source_type, source_uri, stage, reason, error,
                    attempts, quarantined_at)
                VALUES (:id, :tenant, :doc, :sourceType, :sourceUri, :stage, :reason, :error, :attempts, :at)""")
                .param("id", item.id())
                .param("tenant", item.tenant().value())
                .param("doc", item.documentId())
                .param("sourceType", item.sourceType())
                .param("sourceUri", item.sourceUri())
                .param("stage", item.stage())
                .param("reason", item.reason())
                .param("error", item.error())
                .param("attempts", item.attempts())
                .param("at", OffsetDateTime.ofInstant(item.quarantinedAt(), ZoneOffset.UTC))
                .update();
    }

    private static String clip(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }

    /**
     * Resolves the open {@link #addUnaccepted} entries of a source item that finally went through (e.g. a mail that
     * could not be read before): the entries with this source URI and reason at stage {@code fetch} are removed and
     * their quarantined documents become {@code deleted}, in one transaction. Returns how many were resolved; none
     * (already retired by a newer version of the URI, or never quarantined) is fine.
     */
    public int discardUnaccepted(TenantId tenant, String offeredUri, String reason) {
        String sourceUri = offeredUri == null ? null : clip(offeredUri, DocumentIntake.MAX_SOURCE_URI);
        return transactions.call(tenant, () -> {
            List<Item> open = jdbc.sql("""
                    SELECT * FROM quarantine WHERE tenant_id = :tenant AND source_uri = :uri AND reason = :reason
                    AND stage = 'fetch'""")
                    .param("tenant", tenant.value())
                    .param("uri", sourceUri)
                    .param("reason", reason)
                    .query(Quarantine::map)
                    .list();
            for (Item item : open) {
                jdbc.sql("DELETE FROM quarantine WHERE tenant_id = :tenant AND id = :id")
                        .param("tenant", tenant.value())
                        .param("id", item.id())
                        .update();
                documents.markDeleted(tenant, item.documentId());
            }
            return open.size();
        });
    }

    public List<Item> list(TenantId tenant) {
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT * FROM quarantine WHERE tenant_id = :tenant ORDER BY quarantined_at DESC, id DESC")
                .param("tenant", tenant.value())
                .query(Quarantine::map)
                .list());
    }

    public Optional<Item> find(TenantId tenant, String id) {
        return transactions.call(tenant, () -> jdbc.sql("SELECT * FROM quarantine WHERE tenant_id = :tenant AND id = :id")
                .param("tenant", tenant.value())
                .param("id", id)
                .query(Quarantine::map)
                .optional());
    }

    public boolean remove(TenantId tenant, String id) {
        return transactions.call(tenant, () -> jdbc.sql("DELETE FROM quarantine WHERE tenant_id = :tenant AND id = :id")
                .param("tenant", tenant.value())
                .param("id", id)
                .update() > 0);
    }

    public int removeForDocument(TenantId tenant, String documentId) {
        return transactions.call(tenant, () -> jdbc.sql(
                        "DELETE FROM quarantine WHERE tenant_id = :tenant AND document_id = :doc")
                .param("tenant", tenant.value())
                .param("doc", documentId)
                .update());
    }

    public int count(TenantId tenant) {
        return transactions.call(tenant, () -> jdbc.sql("SELECT COUNT(*) FROM quarantine WHERE tenant_id = :tenant")
                .param("tenant", tenant.value())
                .query(Integer.class).single());
    }

    public int deleteAll(TenantId tenant) {
        return transactions.call(tenant, () -> jdbc.sql("DELETE FROM quarantine WHERE tenant_id = :tenant")
                .param("tenant", tenant.value()).update());
    }

    private static String truncate(String error) {
        String text = error == null ? "" : error;
        return text.length() > 3900 ? text.substring(0, 3900) + "…" : text;
    }

    private static Item map(ResultSet rs, int row) throws SQLException {
        return new Item(rs.getString("id"), TenantId.of(rs.getString("tenant_id")), rs.getString("document_id"),
                rs.getString("source_type"), rs.getString("source_uri"), rs.getString("stage"),
                rs.getString("reason"), rs.getString("error"), rs.getInt("attempts"),
                rs.getObject("quarantined_at", OffsetDateTime.class).toInstant());
    }
}
