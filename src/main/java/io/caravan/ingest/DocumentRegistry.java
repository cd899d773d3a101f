package io.caravan.ingest;

import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Documents, their accepted payloads and their status. Every query is scoped by tenant. */
@Repository
public class DocumentRegistry {

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;

    public DocumentRegistry(JdbcClient jdbc, TenantTransactions transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** The stored bytes of an accepted document. */
    public record Payload(byte[] content, String fileName) {
    }

    /** Runs several of these calls in one transaction scoped to the tenant (one commit instead of one each). */
    public <T> T inTransaction(TenantId tenant, java.util.function.Supplier<T> work) {
        return transactions.call(tenant, work);
    }

    /** Records a document and its payload in one transaction, before the client is told it was accepted. */
    public void insertQueued(Document document, NewDocument offered) {
        transactions.run(document.tenant(), () -> insert(document, offered));
    }

    private void insert(Document document, NewDocument offered) {
        jdbc.sql("""
                INSERT INTO documents (tenant_id, document_id, title, source_type, source_uri, content_type,
                    content_hash, status, chunks, created_at, updated_at)
                VALUES (:tenant, :id, :title, :sourceType, :sourceUri, :contentType, :hash, :status, 0, :now, :now)""")
                .param("tenant", document.tenant().value())
                .param("id", document.documentId())
                .param("title", document.title())
                .param("sourceType", document.sourceType())
                .param("sourceUri", document.sourceUri())
                .param("contentType", document.contentType())
                .param("hash", document.contentHash())
                .param("status", DocumentStatus.QUEUED.wire())
                .param("now", now())
                .update();
        jdbc.sql("""
                INSERT INTO document_payloads (tenant_id, document_id, file_name, body)
                VALUES (:tenant, :id, :fileName, :body)""")
                .param("tenant", document.tenant().value())
                .param("id", document.documentId())
                .param("fileName", offered.fileName())
                .param("body", offered.content())
                .update();
    }

    /**
     * Records a document that a source offered but that was never accepted (fetch failed, too large, empty,
     * unsupported): quarantined from the start, without a content hash or payload.
     */
    public void insertQuarantined(Document document) {
        transactions.run(document.tenant(), () -> jdbc.sql("""
                INSERT INTO documents (tenant_id, document_id, title, source_type, source_uri, content_type,
                    content_hash, status, chunks, created_at, updated_at)
                VALUES (:tenant, :id, :title, :sourceType, :sourceUri, :contentType, NULL, :status, 0, :now, :now)""")
                .param("tenant", document.tenant().value())
                .param("id", document.documentId())
                .param("title", document.title())
                .param("sourceType", document.sourceType())
                .param("sourceUri", document.sourceUri())
                .param("contentType", document.contentType())
                .param("status", DocumentStatus.QUARANTINED.wire())
                .param("now", now())
                .update());
    }

    public Optional<Document> find(TenantId tenant, String documentId) {
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT * FROM documents WHERE tenant_id = :tenant AND document_id = :id")
                .param("tenant", tenant.value())
                .param("id", documentId)
                .query(DocumentRegistry::map)
                .optional());
    }

    public Optional<Document> findByHash(TenantId tenant, String contentHash) {
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT * FROM documents WHERE tenant_id = :tenant AND content_hash = :hash")
                .param("tenant", tenant.value())
                .param("hash", contentHash)
                .query(DocumentRegistry::map)
                .optional());
    }

    /** A document and, while it is queued, its accepted payload (null once indexed or settled otherwise). */
    public record Queued(Document document, Payload payload) {
    }

    /**
     * {@link #find} and, if the document is still queued, {@link #payload}: one transaction instead of two, as
     * the index route's fetch stage needs both.
     */
    public Optional<Queued> findWithPayload(TenantId tenant, String documentId) {
        return transactions.call(tenant, () -> find(tenant, documentId).map(document -> new Queued(document,
                document.status() == DocumentStatus.QUEUED ? payload(tenant, documentId).orElse(null) : null)));
    }

    public Optional<Payload> payload(TenantId tenant, String documentId) {
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT file_name, body FROM document_payloads WHERE tenant_id = :tenant AND document_id = :id")
                .param("tenant", tenant.value())
                .param("id", documentId)
                .query((rs, row) -> new Payload(rs.getBytes("body"), rs.getString("file_name")))
                .optional());
    }

    /** Page of a tenant's documents, newest first; the cursor is the last document id of the previous page. */
    public List<Document> list(TenantId tenant, DocumentStatus status, int limit, String afterDocumentId) {
        StringBuilder sql = new StringBuilder("SELECT * FROM documents WHERE tenant_id = :tenant");
        if (status != null) {
            sql.append(" AND status = :status");
        }
        if (afterDocumentId != null) {
            sql.append(" AND document_id < :after");
        }
        sql.append(" ORDER BY document_id DESC LIMIT :limit");
        JdbcClient.StatementSpec spec = jdbc.sql(sql.toString())
                .param("tenant", tenant.value())
                .param("limit", limit);
        if (status != null) {
            spec = spec.param("status", status.wire());
        }
        if (afterDocumentId != null) {
            spec = spec.param("after", afterDocumentId);
        }
        JdbcClient.StatementSpec query = spec;
        return transactions.call(tenant, () -> query.query(DocumentRegistry::map).list());
    }

    /** Marks a queued document indexed and drops its payload; false if it is no longer queued (deleted). */
    public boolean markIndexed(TenantId tenant, String documentId, int chunks) {
        return transactions.call(tenant, () -> indexed(tenant, documentId, chunks));
    }

    private boolean indexed(TenantId tenant, String documentId, int chunks) {
        int updated = jdbc.sql("""
                UPDATE documents SET status = :indexed, chunks = :chunks, indexed_at = :now, updated_at = :now
                WHERE tenant_id = :tenant AND document_id = :id AND status = :queued""")
                .param("indexed", DocumentStatus.INDEXED.wire())
                .param("chunks", chunks)
                .param("now", now())
                .param("tenant", tenant.value())
                .param("id", documentId)
                .param("queued", DocumentStatus.QUEUED.wire())
                .update();
        if (updated > 0) {
            deletePayload(tenant, documentId);
            bumpCorpusVersion(tenant);
        }
        return updated > 0;
    }

    public boolean markQuarantined(TenantId tenant, String documentId) {
        return setStatus(tenant, documentId, DocumentStatus.QUARANTINED, DocumentStatus.QUEUED);
    }

    public boolean requeue(TenantId tenant, String documentId) {
        return setStatus(tenant, documentId, DocumentStatus.QUEUED, DocumentStatus.QUARANTINED);
    }

    /**
     * Marks a document deleted and releases its content hash, so the same content can be added again. It keeps
     * its chunk count until {@link #chunksRemoved} (see {@link ChunkRemovals}).
     */
    public boolean markDeleted(TenantId tenant, String documentId) {
        return transactions.call(tenant, () -> deleted(tenant, documentId));
    }

    /**
     * An index worker wrote chunks for a document deleted meanwhile (deleted while queued, so with none counted):
     * they are owed a removal, which survives a crash this way ({@link ChunkRemovals#findOwed}).
     */
    public void chunksWritten(TenantId tenant, String documentId, int chunks) {
        transactions.run(tenant, () -> jdbc.sql("""
                UPDATE documents SET chunks = :chunks
                WHERE tenant_id = :tenant AND document_id = :id AND status = :deleted AND chunks = 0""")
                .param("chunks", chunks)
                .param("tenant", tenant.value())
                .param("id", documentId)
                .param("deleted", DocumentStatus.DELETED.wire())
                .update());
    }

    /** The deleted document's chunks have left the vector store. */
    public void chunksRemoved(TenantId tenant, String documentId) {
        transactions.run(tenant, () -> jdbc.sql("""
                UPDATE documents SET chunks = 0
                WHERE tenant_id = :tenant AND document_id = :id AND status = :deleted AND chunks <> 0""")
                .param("tenant", tenant.value())
                .param("id", documentId)
                .param("deleted", DocumentStatus.DELETED.wire())
                .update());
    }

    /** Deleted documents whose chunks are still to be removed from the vector store, by id, after {@code after}. */
    public List<String> awaitingChunkRemoval(TenantId tenant, String after, int limit) {
        return transactions.call(tenant, () -> jdbc.sql("""
                SELECT document_id FROM documents WHERE tenant_id = :tenant AND status = :deleted AND chunks > 0
                AND document_id > :after ORDER BY document_id LIMIT :limit""")
                .param("tenant", tenant.value())
                .param("deleted", DocumentStatus.DELETED.wire())
                .param("after", after)
                .param("limit", limit)
                .query(String.class)
                .list());
    }

    private boolean deleted(TenantId tenant, String documentId) {
        int updated = jdbc.sql("""
                UPDATE documents SET status = :deleted, content_hash = NULL, text_hash = NULL, updated_at = :now
                WHERE tenant_id = :tenant AND document_id = :id AND status <> :deleted""")
                .param("deleted", DocumentStatus.DELETED.wire())
                .param("now", now())
                .param("tenant", tenant.value())
                .param("id", documentId)
                .update();
        deletePayload(tenant, documentId);
        if (updated > 0) {
            // the documents found to be its duplicates release their content too: sent again, that content is
            // a new document, not a duplicate of one that is gone
            jdbc.sql("""
                    UPDATE documents SET content_hash = NULL, text_hash = NULL, updated_at = :now
                    WHERE tenant_id = :tenant AND status = :duplicate AND duplicate_of = :id""")
                    .param("now", now())
                    .param("tenant", tenant.value())
                    .param("duplicate", DocumentStatus.DUPLICATE.wire())
                    .param("id", documentId)
                    .update();
            bumpCorpusVersion(tenant);
        }
        return updated > 0;
    }

    /** The tenant's corpus version: changes whenever a document is indexed or removed. */
    public long corpusVersion(TenantId tenant) {
        return jdbc.sql("SELECT corpus_version FROM tenants WHERE id = :tenant")
                .param("tenant", tenant.value())
                .query(Long.class)
                .optional()
                .orElse(-1L);
    }

    private void bumpCorpusVersion(TenantId tenant) {
        jdbc.sql("UPDATE tenants SET corpus_version = corpus_version + 1 WHERE id = :tenant")
                .param("tenant", tenant.value())
                .update();
    }

    /**
     * Claims the text hash for a document: true if it now holds it (or already did), false if another
     * live document of the tenant holds it. The unique (tenant, text_hash) index decides races.
     */
    public boolean claimTextHash(TenantId tenant, String documentId, String textHash) {
        // one transaction (one commit) for the claim and its check; the claim runs under a savepoint in it, so a
        // unique-key failure leaves the transaction usable (PostgreSQL) and is undone alone
        return transactions.call(tenant, () -> {
            try {
                transactions.attempt(tenant, () -> jdbc.sql("""
                        UPDATE documents SET text_hash = :hash, updated_at = :now
                        WHERE tenant_id = :tenant AND document_id = :id AND status = 'queued'
                        AND (text_hash IS NULL OR text_hash = :hash)""")
                        .param("hash", textHash).param("now", now())
                        .param("tenant", tenant.value()).param("id", documentId)
                        .update());
            } catch (org.springframework.dao.DuplicateKeyException held) {
                return false;
            }
            return findByTextHash(tenant, textHash).map(d -> d.documentId().equals(documentId)).orElse(false);
        });
    }

    public boolean releaseTextHash(TenantId tenant, String documentId, String textHash) {
        return transactions.call(tenant, () -> jdbc.sql("""
                UPDATE documents SET text_hash = NULL, updated_at = :now
                WHERE tenant_id = :tenant AND document_id = :id AND text_hash = :hash""")
                .param("now", now()).param("tenant", tenant.value()).param("id", documentId).param("hash", textHash)
                .update() > 0);
    }

    public Optional<Document> findByTextHash(TenantId tenant, String textHash) {
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT * FROM documents WHERE tenant_id = :tenant AND text_hash = :hash")
                .param("tenant", tenant.value())
                .param("hash", textHash)
                .query(DocumentRegistry::map)
                .optional());
    }

    /** Marks a queued document as a duplicate of another (same extracted text) and drops its payload. */
    public boolean markDuplicate(TenantId tenant, String documentId, String duplicateOf) {
        return transactions.call(tenant, () -> duplicate(tenant, documentId, duplicateOf));
    }

    private boolean duplicate(TenantId tenant, String documentId, String duplicateOf) {
        int updated = jdbc.sql("""
                UPDATE documents SET status = :duplicate, duplicate_of = :of, updated_at = :now
                WHERE tenant_id = :tenant AND document_id = :id AND status = :queued""")
                .param("duplicate", DocumentStatus.DUPLICATE.wire())
                .param("of", duplicateOf)
                .param("now", now())
                .param("tenant", tenant.value())
                .param("id", documentId)
                .param("queued", DocumentStatus.QUEUED.wire())
                .update();
        deletePayload(tenant, documentId);
        return updated > 0;
    }

    /**
     * The newest indexed document of each source URI that has more than one indexed document: versions left side by
     * side by a crash between a version's indexing and the retirement of the older ones.
     */
    public List<Document> newestOfSourcesIndexedTwice(TenantId tenant) {
        return transactions.call(tenant, () -> jdbc.sql("""
                SELECT * FROM documents d WHERE d.tenant_id = :tenant AND d.status = :indexed
                AND d.source_uri IS NOT NULL AND d.source_uri <> ''
                AND EXISTS (SELECT 1 FROM documents o WHERE o.tenant_id = d.tenant_id AND o.source_uri = d.source_uri
                            AND o.status = :indexed AND o.document_id < d.document_id)
                AND NOT EXISTS (SELECT 1 FROM documents n WHERE n.tenant_id = d.tenant_id
                                AND n.source_uri = d.source_uri AND n.status = :indexed
                                AND n.document_id > d.document_id)""")
                .param("tenant", tenant.value())
                .param("indexed", DocumentStatus.INDEXED.wire())
                .query(DocumentRegistry::map)
                .list());
    }

    /** Other live documents of the tenant with the same source URI: earlier versions of the same source. */
    public List<Document> otherVersions(TenantId tenant, String sourceUri, String documentId) {
        return transactions.call(tenant, () -> jdbc.sql("""
                SELECT * FROM documents WHERE tenant_id = :tenant AND source_uri = :uri AND document_id <> :id
                AND status IN ('queued', 'indexed', 'quarantined')""")
                .param("tenant", tenant.value())
                .param("uri", sourceUri)
                .param("id", documentId)
                .query(DocumentRegistry::map)
                .list());
    }

    /** Which of these documents are indexed now: retrieval drops hits of anything else. */
    public java.util.Set<String> indexedAmong(TenantId tenant, java.util.Collection<String> documentIds) {
        if (documentIds.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(transactions.call(tenant, () -> jdbc.sql("""
                SELECT document_id FROM documents WHERE tenant_id = :tenant AND status = 'indexed'
                AND document_id IN (:ids)""")
                .param("tenant", tenant.value())
                .param("ids", List.copyOf(documentIds))
                .query(String.class)
                .list()));
    }

    /**
     * Every queued document of every tenant, oldest first: the work to resume after a restart. Read tenant by
     * tenant, each in its own tenant-scoped transaction (there is no cross-tenant read of documents).
     */
    public List<Document> allQueued() {
        List<Document> queued = new ArrayList<>();
        for (String id : jdbc.sql("SELECT id FROM tenants ORDER BY id").query(String.class).list()) {
            TenantId tenant = TenantId.of(id);
            queued.addAll(transactions.call(tenant, () -> jdbc.sql(
                            "SELECT * FROM documents WHERE tenant_id = :tenant AND status = :queued")
                    .param("tenant", tenant.value())
                    .param("queued", DocumentStatus.QUEUED.wire())
                    .query(DocumentRegistry::map)
                    .list()));
        }
        queued.sort(Comparator.comparing(Document::createdAt));
        return queued;
    }

    /**
     * Claims the documents of every tenant that are still queued and were last enqueued before {@code cutoff}:
     * each one's updated_at moves to now, conditionally, so of two replicas sweeping at once only one claims
     * it, and it is not claimed again before another {@code cutoff} interval has passed.
     */
    public List<Document> claimStaleQueued(java.time.Instant cutoff) {
        List<Document> claimed = new ArrayList<>();
        OffsetDateTime before = OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC);
        for (String id : jdbc.sql("SELECT id FROM tenants ORDER BY id").query(String.class).list()) {
            TenantId tenant = TenantId.of(id);
            List<Document> stale = transactions.call(tenant, () -> jdbc.sql(
                            "SELECT * FROM documents WHERE tenant_id = :tenant AND status = :queued "
                            + "AND updated_at < :before")
                    .param("tenant", tenant.value())
                    .param("queued", DocumentStatus.QUEUED.wire())
                    .param("before", before)
                    .query(DocumentRegistry::map)
                    .list());
            for (Document document : stale) {
                boolean mine = transactions.call(tenant, () -> jdbc.sql("""
                                UPDATE documents SET updated_at = :now
                                WHERE tenant_id = :tenant AND document_id = :id AND status = :queued
                                AND updated_at < :before""")
                        .param("now", now())
                        .param("tenant", tenant.value())
                        .param("id", document.documentId())
                        .param("queued", DocumentStatus.QUEUED.wire())
                        .param("before", before)
                        .update() > 0);
                if (mine) {
                    claimed.add(document);
                }
            }
        }
        claimed.sort(Comparator.comparing(Document::createdAt));
        return claimed;
    }

    /** Removes every document row and payload of the tenant; returns how many were not already deleted. */
    public int deleteAll(TenantId tenant) {
        return transactions.call(tenant, () -> deleteRows(tenant));
    }

    private int deleteRows(TenantId tenant) {
        int live = jdbc.sql("SELECT COUNT(*) FROM documents WHERE tenant_id = :tenant AND status <> :deleted")
                .param("tenant", tenant.value())
                .param("deleted", DocumentStatus.DELETED.wire())
                .query(Integer.class).single();
        jdbc.sql("DELETE FROM document_payloads WHERE tenant_id = :tenant").param("tenant", tenant.value()).update();
        jdbc.sql("DELETE FROM documents WHERE tenant_id = :tenant").param("tenant", tenant.value()).update();
        return live;
    }

    private boolean setStatus(TenantId tenant, String documentId, DocumentStatus to, DocumentStatus from) {
        return transactions.call(tenant, () -> jdbc.sql("""
                UPDATE documents SET status = :to, updated_at = :now
                WHERE tenant_id = :tenant AND document_id = :id AND status = :from""")
                .param("to", to.wire())
                .param("now", now())
                .param("tenant", tenant.value())
                .param("id", documentId)
                .param("from", from.wire())
                .update() > 0);
    }

    private void deletePayload(TenantId tenant, String documentId) {
        jdbc.sql("DELETE FROM document_payloads WHERE tenant_id = :tenant AND document_id = :id")
                .param("tenant", tenant.value())
                .param("id", documentId)
                .update();
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private static Document map(ResultSet rs, int row) throws SQLException {
        OffsetDateTime indexed = rs.getObject("indexed_at", OffsetDateTime.class);
        return new Document(TenantId.of(rs.getString("tenant_id")), rs.getString("document_id"),
                rs.getString("title"), rs.getString("source_type"), rs.getString("source_uri"),
                rs.getString("content_type"), rs.getString("content_hash"),
                DocumentStatus.fromWire(rs.getString("status")), rs.getInt("chunks"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                indexed == null ? null : indexed.toInstant(), rs.getString("duplicate_of"));
    }
}
