package io.caravan.vector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.ChromaTestServer;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The hub on a Chroma server that does not answer: clear errors, never an empty answer or a lost document. */
class ChromaDownHubTest extends HubTest {

    private static final String NOWHERE = "http://127.0.0.1:" + ChromaTestServer.freePort();

    @DynamicPropertySource
    static void chroma(DynamicPropertyRegistry registry) {
        registry.add("caravan.vector.store", () -> "chroma");
        registry.add("caravan.chroma.url", () -> NOWHERE);
        registry.add("caravan.chroma.timeout", () -> "2s");
    }

    @Test
    void aQueryIsA503AndADocumentIsQuarantinedAtUpsert() {
        String tenant = newTenant("down");
        String key = newKey(tenant);

        HubClient.Response answer = hub.postJson("/api/v1/query", key, "{\"question\":\"Anyone there?\"}");
        assertThat(answer.status()).as(answer.text()).isEqualTo(503);
        assertThat(answer.code()).isEqualTo("upstream_unavailable");
        assertThat(answer.text()).doesNotContain(NOWHERE);

        String documentId = addText(key, "Lost?", "A document written while the vector store is down.");
        awaitStatus(key, documentId, "quarantined");
        JsonNode item = hub.get("/api/v1/quarantine", key).json().get("items").get(0);
        assertThat(item.get("stage").asText()).isEqualTo("upsert");
        assertThat(item.get("reason").asText()).isEqualTo("upsert_failed");
    }
}
