package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.nio.charset.StandardCharsets;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * No tenant starves another: with 2,000 of tenant A's documents waiting, tenant B's one document is indexed
 * long before A's backlog is drained.
 */
class FairnessTest extends HubTest {

    @Autowired
    ProducerTemplate producer;

    @Test
    void aSmallTenantIsNotStuckBehindABigTenantsBacklog() {
        String busy = newTenant("busy");
        String small = newTenant("small");
        String smallKey = newKey(small);
        // the busy tenant's rate cap keeps its backlog in the queue for the length of the test, even when a loaded
        // machine takes minutes to offer the 2,000 documents
        assertThat(hub.putJson("/admin/v1/tenants/" + busy + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"ingestDocumentsPerSecond\":10}}").status()).isEqualTo(200);
        for (int i = 0; i < 2000; i++) {
            NewDocument document = new NewDocument("Bulk " + i, ("Bulk document number " + i + " of a big import.")
                    .getBytes(StandardCharsets.UTF_8), "text/plain", "upload", null, null);
            producer.requestBodyAndHeaders("direct:ingest-document", document, TenantHeader.headers(TenantId.of(busy)));
        }
        int busyIndexedBefore = count(busy, "indexed");
        String documentId = addText(smallKey, "Only one", "The small tenant's single document.");
        awaitStatus(smallKey, documentId, "indexed");
        int busyIndexedAfter = count(busy, "indexed");

        // round-robin: a few of the busy tenant's documents (those in the workers' hands and what its rate
        // allows in the meantime) go first, never its backlog of well over a thousand
        assertThat(busyIndexedAfter - busyIndexedBefore).as("busy documents indexed while the small one waited")
                .isLessThanOrEqualTo(100);
        assertThat(count(busy, "queued")).as("the busy tenant's backlog is still there").isGreaterThan(500);

        // leave no backlog behind for the other tests: erasing the tenant makes its queued work a no-op
        assertThat(hub.delete("/admin/v1/tenants/" + busy, ADMIN_TOKEN).status()).isEqualTo(200);
    }

    private int count(String tenant, String status) {
        return storedRows().sql("SELECT COUNT(*) FROM documents WHERE tenant_id = :t AND status = :s")
                .param("t", tenant).param("s", status).query(Integer.class).single();
    }
}
