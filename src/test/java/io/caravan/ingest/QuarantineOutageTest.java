package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.observability.TenantMetrics;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;

/**
 * A failed document whose quarantine entry cannot be written (the database refuses it) is not lost: the write is
 * retried with back-off until the database takes it, and past the attempts the failure is raised with nothing
 * half-written. The outage is real: the quarantine table is renamed away meanwhile.
 */
class QuarantineOutageTest extends HubTest {

    @Autowired
    QuarantineHandler handler;
    @Autowired
    Quarantine quarantine;
    @Autowired
    DocumentRegistry documents;
    @Autowired
    TenantMetrics metrics;
    @Autowired
    IndexingPipeline pipeline;
    @Autowired
    CamelContext camel;

    @Test
    void aQuarantineEntryTheDatabaseRefusesIsWrittenOnceItTakesIt() {
        String tenant = newTenant("outage");
        String key = newKey(tenant);
        // only this test's document fails while the table is away
        AtomicInteger retries = new AtomicInteger();
        handler.writes().getEventPublisher().onRetry(event -> retries.incrementAndGet());

        String corrupt;
        tableAway();
        try {
            HubClient.Response uploaded = hub.upload("/api/v1/documents", key, "corrupt.pdf", "application/pdf",
                    "%PDF-1.7\nthis is not a PDF body".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
            corrupt = uploaded.field("documentId");
            // the entry's first write failed, and a retry is waiting
            await().atMost(Duration.ofSeconds(30)).until(() -> retries.get() > 0);
        } finally {
            tableBack();
        }

        awaitStatus(key, corrupt, "quarantined");
        HubClient.Response listed = hub.get("/api/v1/quarantine", key);
        assertThat(listed.text()).contains(corrupt).contains("parse_error");
        // and the rest keeps working
        awaitStatus(key, addText(key, "After", "The ferry leaves at noon."), "indexed");
    }

    @Test
    void pastItsAttemptsTheFailureIsRaisedNotSwallowed() {
        String tenant = newTenant("outage");
        String key = newKey(tenant);
        String documentId = addText(key, "Kept", "A document whose failure is being recorded.");
        awaitStatus(key, documentId, "indexed");
        // as a document still queued when its delivery failed (only such a one is quarantined)
        storedRows().sql("UPDATE documents SET status = 'queued' WHERE tenant_id = :t AND document_id = :d")
                .param("t", tenant).param("d", documentId).update();
        QuarantineHandler impatient = new QuarantineHandler(quarantine, documents, metrics, pipeline, 2,
                Duration.ofMillis(10));
        Exchange failed = new DefaultExchange(camel);
        failed.getMessage().setBody(documentId);
        failed.getMessage().setHeaders(TenantHeader.headers(TenantId.of(tenant)));
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("the embedder failed"));
        AtomicInteger attempts = new AtomicInteger();
        impatient.writes().getEventPublisher().onRetry(event -> attempts.incrementAndGet());

        try {
            tableAway();
            try {
                assertThatThrownBy(() -> impatient.record(failed)).isInstanceOf(DataAccessException.class);
            } finally {
                tableBack();
            }
            assertThat(attempts.get()).isEqualTo(1); // two attempts: one retry
            // nothing half-written: the document is still queued, with no entry
            assertThat(hub.get("/api/v1/documents/" + documentId, key).field("status")).isEqualTo("queued");
            assertThat(hub.get("/api/v1/quarantine", key).text()).doesNotContain(documentId);
        } finally {
            // no queued document left behind for a later test's restart to resume
            storedRows().sql("UPDATE documents SET status = 'indexed' WHERE tenant_id = :t AND document_id = :d")
                    .param("t", tenant).param("d", documentId).update();
        }
    }

    private void tableAway() {
        storedRows().sql("ALTER TABLE quarantine RENAME TO quarantine_away").update();
    }

    private void tableBack() {
        storedRows().sql("ALTER TABLE quarantine_away RENAME TO quarantine").update();
    }
}
