package io.caravan.sources.messenger;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A messenger source in a tenant's config, run by the source manager: the Kamelet instance backfills the page
 * from the Graph API emulator into the tenant's documents, and the webhook afterwards skips the backfilled mids.
 */
class MessengerSourceManagerTest extends HubTest {

    private static final WireMockServer GRAPH = startGraph();

    @DynamicPropertySource
    static void graphUrl(DynamicPropertyRegistry registry) {
        registry.add("caravan.messenger.graph-url", () -> GRAPH.baseUrl() + "/v19.0");
    }

    @AfterAll
    static void stopGraph() {
        GRAPH.stop();
    }

    @Test
    void aConfiguredMessengerSourceBackfillsThePageAndTheWebhookSkipsWhatItBrought() {
        String tenant = newTenant("msm");
        String key = newKey(tenant);
        for (String[] secret : new String[][] {{"messenger-page-token", "EAAsm-token"},
                {"messenger-app-secret", "sm-app-secret"}}) {
            assertThat(hub.putJson("/admin/v1/tenants/" + tenant + "/secrets/" + secret[0], ADMIN_TOKEN,
                    "{\"value\":\"" + secret[1] + "\"}").status()).isEqualTo(204);
        }
        GRAPH.stubFor(get(urlPathEqualTo("/v19.0/4242/conversations"))
                .withQueryParam("access_token", equalTo("EAAsm-token"))
                .willReturn(okJson("""
                        {"data":[{"messages":{"data":[
                           {"message":"The night ferry to Tromso leaves from pier 3.","from":{"name":"Eva","id":"psid-e"},
                            "created_time":"2024-03-03T20:00:00+0000","id":"m_sm_1"}]},"id":"t_sm"}],
                         "paging":{"cursors":{"before":"a","after":"b"}}}""")));

        HubClient.Response put = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"sources\":[{\"id\":\"fb\",\"type\":\"messenger\",\"pageId\":\"4242\"}]}");
        assertThat(put.status()).as(put.text()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<JsonNode> docs = documents(key);
            assertThat(docs).hasSize(1);
            assertThat(docs.get(0).path("sourceType").asText()).isEqualTo("messenger");
            assertThat(docs.get(0).path("sourceUri").asText()).isEqualTo("messenger://4242/psid-e/m_sm_1");
        });
        HubClient.Response sources = hub.get("/api/v1/sources", key);
        assertThat(sources.status()).isEqualTo(200);
        assertThat(sources.json().path("items").get(0).path("type").asText()).isEqualTo("messenger");

        // the same message arriving later through the webhook is not a second document
        byte[] body = MessengerWebhookTest.payload("4242", List.of(MessengerWebhookTest.message("m_sm_1",
                "The night ferry to Tromso leaves from pier 3 (webhook copy).")));
        assertThat(hub.postBytes("/webhooks/messenger/" + tenant, "application/json", body,
                MessengerWebhookTest.signed("sm-app-secret", body)).status()).isEqualTo(200);
        assertThat(documents(key)).hasSize(1);
    }

    private List<JsonNode> documents(String key) {
        List<JsonNode> docs = new ArrayList<>();
        hub.get("/api/v1/documents", key).json().path("items").forEach(docs::add);
        return docs;
    }

    private static WireMockServer startGraph() {
        WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return server;
    }
}
