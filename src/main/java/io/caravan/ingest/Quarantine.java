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
        jdbc.sql("""
                INSERT INTO quarantine (id, tenant_id, document_id, source_type, source_uri, stage, reason, error,
                    attempts, quarantined_at)
                VALUES (:id, :tenant, :doc, :sourceType, :sourceUri, :stage, :reason, :error, :attempts, :at)""")
                .param("id", item.id())
                .param("tenant", tenant.value())
                .param("doc", item.documentId())
                .param("sourceType", item.sourceType())
                .param("sourceUri", item.sourceUri())
                .param("stage", stage)
                .param("reason", reason)
                .param("error", item.error())
                .param("attempts", attempts)
                .param("at", OffsetDateTime.ofInstant(item.quarantinedAt(), ZoneOffset.UTC))
                .update();
        return Optional.of(item);
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
