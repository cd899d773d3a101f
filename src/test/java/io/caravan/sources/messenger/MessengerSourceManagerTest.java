package io.caravan.sources.messenger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aBackfillTheGraphApiRefusesMakesTheSourceFailingUntilARunGoesThrough(CapturedOutput output) {
        String tenant = newTenant("msh");
        String key = newKey(tenant);
        String token = "EAAsh-" + UUID.randomUUID();
        String appSecret = "sh-app-" + UUID.randomUUID();
        putSecret(tenant, "messenger-page-token", token);
        putSecret(tenant, "messenger-app-secret", appSecret);
        String pageId = "5151" + (System.nanoTime() & 0xFFFFFL);
        String path = "/v19.0/" + pageId + "/conversations";
        GRAPH.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"error":{"message":"Error validating access token: Session has expired.",
                          "type":"OAuthException","code":190,"fbtrace_id":"AbC"}}""")));
        String config = "{\"sources\":[{\"id\":\"fb\",\"type\":\"messenger\",\"pageId\":\"" + pageId + "\"}]}";
        putConfig(tenant, config);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode source = source(key, "fb");
            assertThat(source.path("state").asText()).isEqualTo("failing");
            assertThat(source.path("lastError").asText()).contains("HTTP 401").contains("OAuthException code 190")
                    .doesNotContain(token).doesNotContain(appSecret);
            assertThat(source.path("lastRunAt").isTextual()).isTrue();
        });

        // the page token renewed and the config saved again: the failing source restarts, its run goes through
        GRAPH.stubFor(get(urlPathEqualTo(path)).willReturn(okJson("""
                {"data":[{"messages":{"data":[
                   {"message":"The cable car closes at dusk in winter.","from":{"name":"Ola","id":"psid-o"},
                    "created_time":"2024-03-04T09:00:00+0000","id":"m_sh_1"}]},"id":"t_sh"}]}""")));
        putConfig(tenant, config);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode source = source(key, "fb");
            assertThat(source.path("state").asText()).isEqualTo("running");
            assertThat(source.path("lastError").isNull() || source.path("lastError").isMissingNode())
                    .as(source.toString()).isTrue();
            assertThat(documents(key)).extracting(d -> d.path("sourceUri").asText())
                    .containsExactly("messenger://" + pageId + "/psid-o/m_sh_1");
        });

        // neither the page token nor the app secret reaches the log, though both went into every Graph API call
        assertThat(output.getAll()).contains("the Graph API answered HTTP 401")
                .doesNotContain(token).doesNotContain(appSecret);
        assertThat(hub.delete("/admin/v1/tenants/" + tenant, ADMIN_TOKEN).status()).isEqualTo(200);
    }

    private void putSecret(String tenant, String name, String value) {
        assertThat(hub.putJson("/admin/v1/tenants/" + tenant + "/secrets/" + name, ADMIN_TOKEN,
                "{\"value\":\"" + value + "\"}").status()).isEqualTo(204);
    }

    private void putConfig(String tenant, String config) {
        HubClient.Response put = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN, config);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
    }

    /** The source as {@code GET /api/v1/sources} shows it. */
    private JsonNode source(String key, String id) {
        HubClient.Response sources = hub.get("/api/v1/sources", key);
        assertThat(sources.status()).as(sources.text()).isEqualTo(200);
        for (JsonNode item : sources.json().path("items")) {
            if (item.path("id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError("no source " + id + " in " + sources.text());
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
