package io.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;

/** Offboarding removes every trace of the tenant from every store, reports what it removed, spares others. */
class TenantErasureTest extends HubTest {

    private static final String[] TENANT_TABLES = {"api_keys", "tenant_secrets", "documents", "document_payloads",
            "quarantine", "budget_reservations"};

    @Value("${caravan.data-dir}")
    Path dataDir;

    @Test
    void erasingATenantLeavesNothingOfItAndKeepsTheOthers() {
        String gone = newTenant("leaving");
        String stays = newTenant("staying");
        String goneKey = newKey(gone);
        String staysKey = newKey(stays);
        hub.putJson("/admin/v1/tenants/" + gone + "/secrets/token", ADMIN_TOKEN, "{\"value\":\"v\"}");
        hub.putJson("/admin/v1/tenants/" + stays + "/secrets/token", ADMIN_TOKEN, "{\"value\":\"v\"}");
        String one = addText(goneKey, "One", "The first document of the tenant that leaves.");
        String two = addText(goneKey, "Two", "The second document of the tenant that leaves.");
        String broken = hub.upload("/api/v1/documents", goneKey, "broken.txt", "text/plain",
                new byte[] {'o', 'k', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF, 'x'}).field("documentId");
        String kept = addText(staysKey, "Kept", "The document of the tenant that stays.");
        awaitStatus(goneKey, one, "indexed");
        awaitStatus(goneKey, two, "indexed");
        awaitStatus(goneKey, broken, "quarantined");
        awaitStatus(staysKey, kept, "indexed");
        assertThat(Files.exists(dataDir.resolve("vectors").resolve(gone))).isTrue();

        HubClient.Response erased = hub.delete("/admin/v1/tenants/" + gone, ADMIN_TOKEN);
        assertThat(erased.status()).isEqualTo(200);
        JsonNode report = erased.json();
        assertThat(report.get("tenant").asText()).isEqualTo(gone);
        assertThat(report.get("documents").asInt()).isEqualTo(3);
        assertThat(report.get("chunks").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(report.get("secrets").asInt()).isEqualTo(1);
        assertThat(report.get("keys").asInt()).isEqualTo(1);
        assertThat(report.get("quarantined").asInt()).isEqualTo(1);
        assertThat(report.get("cacheEntries").asInt()).isZero();

        for (String table : TENANT_TABLES) {
            assertThat(storedRows().sql("SELECT COUNT(*) FROM " + table + " WHERE tenant_id = :t").param("t", gone)
                    .query(Integer.class).single()).as(table).isZero();
        }
        assertThat(storedRows().sql("SELECT COUNT(*) FROM tenants WHERE id = :t").param("t", gone).query(Integer.class).single())
                .isZero();
        assertThat(Files.exists(dataDir.resolve("vectors").resolve(gone))).isFalse();
        assertThat(hub.get("/api/v1/documents", goneKey).status()).isEqualTo(401);
        assertThat(hub.get("/admin/v1/tenants/" + gone, ADMIN_TOKEN).code()).isEqualTo("tenant_not_found");
        assertThat(hub.get("/actuator/prometheus", null).text()).doesNotContain("rag_quarantine_documents{application=\"caravan\",tenant_id=\"" + gone);

        // the other tenant is untouched
        assertThat(hub.get("/api/v1/documents/" + kept, staysKey).field("status")).isEqualTo("indexed");
        assertThat(hub.get("/admin/v1/tenants/" + stays + "/secrets", ADMIN_TOKEN).json().get("items")).hasSize(1);
        assertThat(hub.postJson("/api/v1/query", staysKey, "{\"question\":\"Which tenant stays?\"}").json()
                .get("citations").get(0).get("documentId").asText()).isEqualTo(kept);

        // the id can be used again, starting empty
        assertThat(hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"id\":\"" + gone + "\"}").status()).isEqualTo(201);
        assertThat(hub.get("/api/v1/documents", newKey(gone)).json().get("items")).isEmpty();
        assertThat(hub.delete("/admin/v1/tenants/no-such-tenant", ADMIN_TOKEN).code()).isEqualTo("tenant_not_found");
    }
}
