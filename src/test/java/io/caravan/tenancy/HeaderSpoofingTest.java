package io.caravan.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/** A client can never choose its tenant: a tenant header sent over HTTP is ignored; the key decides. */
@Tag("contract")
class HeaderSpoofingTest extends HubTest {

    @ParameterizedTest
    @ValueSource(strings = {"CaravanTenantId", "caraVANtenantID", "caravantenantid"})
    void aRequestWithAsKeyAndBsTenantHeaderActsAsA(String headerName) {
        String a = newTenant("spoof-a");
        String b = newTenant("spoof-b");
        String keyA = newKey(a);
        String keyB = newKey(b);

        HubClient.Response added = hub.postJson("/api/v1/documents", keyA,
                "{\"title\":\"Spoofed\",\"text\":\"Written with a forged tenant header " + headerName + ".\"}",
                Map.of(headerName, b));
        assertThat(added.status()).isEqualTo(202);
        String documentId = added.field("documentId");

        awaitStatus(keyA, documentId, "indexed");
        assertThat(hub.get("/api/v1/documents/" + documentId, keyB).status()).isEqualTo(404);
        assertThat(hub.get("/api/v1/documents", keyB).json().get("items")).isEmpty();

        HubClient.Response query = hub.postJson("/api/v1/query", keyA, "{\"question\":\"forged tenant header\"}",
                Map.of(headerName, b));
        assertThat(query.status()).isEqualTo(200);
        assertThat(query.json().get("citations").get(0).get("documentId").asText()).isEqualTo(documentId);
        HubClient.Response queryAsB = hub.postJson("/api/v1/query", keyB, "{\"question\":\"forged tenant header\"}",
                Map.of(headerName, a));
        assertThat(queryAsB.json().get("citations")).isEmpty();
    }
}
