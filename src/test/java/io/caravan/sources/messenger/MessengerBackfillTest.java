package io.caravan.sources.messenger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.caravan.ingest.NewDocument;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The {@code messenger-source} Kamelet, configured by {@link MessengerSourceBinding}, against a local Graph API
 * emulator (WireMock) speaking its JSON: conversations with nested messages, {@code paging.next}, error objects.
 * Each test runs the Kamelet from a small route that hands items to the intake the way the source manager will.
 */
@ExtendWith(OutputCaptureExtension.class)
class MessengerBackfillTest extends HubTest {

    private static final String FIELDS = "messages{message,from,created_time,id}";

    @Autowired
    CamelContext camel;
    @Autowired
    MessengerSourceBinding binding;

    private WireMockServer graph;
    private final List<String> routes = new ArrayList<>();
    private final List<Map<String, Object>> items = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startGraph() {
        graph = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        graph.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (String route : routes) {
            camel.getRouteController().stopRoute(route);
            camel.removeRoute(route);
        }
        graph.stop();
    }

    @Test
    void bindingReadsThePageTokenFromTheTenantsSecretAndFailsNamingAMissingOne() {
        String tenant = newTenant("mbind");
        TenantConfig.Source source = source("123456", null);
        assertThatThrownBy(() -> binding.properties(TenantId.of(tenant), source))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messenger-page-token");
        assertThatThrownBy(() -> binding.properties(TenantId.of(tenant), source(null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pageId");

        putSecret(tenant, "fb-token", "EAAB-own-token");
        Map<String, String> properties = binding.properties(TenantId.of(tenant), source("123456", "fb-token"));
        assertThat(properties).containsEntry("pageId", "123456").containsEntry("pageAccessToken", "EAAB-own-token")
                .containsEntry("graphUrl", "https://graph.facebook.com/v19.0").doesNotContainKey("appSecret");
        assertThat(binding.type()).isEqualTo("messenger");
        assertThat(binding.kamelet()).isEqualTo("messenger-source");
    }

    @Test
    void backfillFollowsPagingEmitsTheItemContractAndSkipsMidsAlreadyIngested(CapturedOutput output)
            throws Exception {
        String tenant = newTenant("mback");
        String key = newKey(tenant);
        String pageId = "7" + (System.nanoTime() & 0xFFFFFFL);
        String token = "EAAG" + UUID.randomUUID().toString().replace("-", "");
        putSecret(tenant, "messenger-page-token", token);
        String seen = "m_seen_" + UUID.randomUUID();
        String m1 = "m_" + UUID.randomUUID();
        String m2 = "m_" + UUID.randomUUID();
        String m3 = "m_" + UUID.randomUUID();

        // a message already delivered by the webhook: the backfill must not ingest its mid again
        TenantId id = TenantId.of(tenant);
        new MessengerMessagesProbe(camel).record(id, new MessengerMessage("fb-page", pageId, "psid-9", null, seen,
                "already here", java.time.Instant.EPOCH));

        String base = graph.baseUrl() + "/v19.0";
        graph.stubFor(get(urlPathEqualTo("/v19.0/" + pageId + "/conversations"))
                .withQueryParam("access_token", equalTo(token)).withQueryParam("fields", equalTo(FIELDS))
                .atPriority(5)
                .willReturn(okJson(conversations(pageId, List.of(
                        conversation("t_1", List.of(
                                graphMessage(m1, "My caravan awning is torn, can you repair it?", "psid-1",
                                        "Anna Lind", "2024-03-01T10:15:30+0000"),
                                graphMessage("m_reply_" + m1, "We will call you tomorrow.", pageId, "Acme Page",
                                        "2024-03-01T10:20:00+0000"))),
                        conversation("t_2", List.of(
                                graphMessage(seen, "already here", "psid-9", "Bo", "2024-03-01T11:00:00+0000")))),
                        base + "/" + pageId + "/conversations?access_token=" + token + "&limit=25&after=CURSOR2"))));
        graph.stubFor(get(urlPathEqualTo("/v19.0/" + pageId + "/conversations"))
                .withQueryParam("access_token", equalTo(token)).withQueryParam("after", equalTo("CURSOR2"))
                .atPriority(1)
                .willReturn(okJson(conversations(pageId, List.of(
                        conversation("t_3", List.of(
                                graphMessage(m2, "Do you rent out roof boxes in Bergen?", "psid-2", "Carl Berg",
                                        "2024-02-28T09:00:00+0000"),
                                graphMessage(m3, "Is the Oslo shop open on Sundays?", "psid-3", null,
                                        "2024-02-27T08:00:00+0000")))),
                        base + "/" + pageId + "/conversations?access_token=" + token + "&after=CURSOR3"))));

        // a short first delay, not 0: with repeatCount 1 a timer firing while its route is still being added
        // under load was seen not to run at all (the next fire would be hours later)
        startKamelet(tenant, source(pageId, null), Map.of("maxPages", "2", "backfillDelay", "200"));

        await().atMost(Duration.ofSeconds(30)).until(() -> items.size() >= 3);
        assertThat(items).extracting(item -> item.get("CaravanItemId")).containsExactlyInAnyOrder(m1, m2, m3);
        Map<String, Object> first = items.stream().filter(item -> m1.equals(item.get("CaravanItemId"))).findFirst()
                .orElseThrow();
        assertThat(first).containsEntry("tenant", tenant)
                .containsEntry("body", "My caravan awning is torn, can you repair it?")
                .containsEntry("CaravanItemTitle", "Messenger message from Anna Lind at 2024-03-01T10:15:30Z")
                .containsEntry("CaravanItemUri", "messenger://" + pageId + "/psid-1/" + m1)
                .containsEntry("CaravanItemType", "text/plain")
                .containsEntry("CaravanSourceType", "messenger")
                .containsEntry("CaravanSourceId", "fb-page");
        // maxPages=2: the third result page is never asked for
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(output.getAll())
                .contains("stops at its limit of 2 result pages"));
        graph.verify(2, getRequestedFor(urlPathEqualTo("/v19.0/" + pageId + "/conversations")));

        // the items became the tenant's documents, and their mids are recorded
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<JsonNode> docs = documents(key);
            assertThat(docs).hasSize(3);
            assertThat(docs).allSatisfy(doc -> assertThat(doc.path("status").asText()).isEqualTo("indexed"));
        });
        HubClient.Response answer = hub.postJson("/api/v1/query", key, "{\"question\":\"Who rents roof boxes in Bergen?\"}");
        assertThat(answer.json().path("citations").toString()).contains("psid-2/" + m2);

        // a second run of the same page finds every mid recorded: nothing new
        items.clear();
        startKamelet(tenant, source(pageId, null), Map.of("maxPages", "2", "backfillDelay", "200"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                graph.verify(4, getRequestedFor(urlPathEqualTo("/v19.0/" + pageId + "/conversations"))));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(items::isEmpty);
        assertThat(documents(key)).hasSize(3);
        assertThat(output.getAll()).doesNotContain(token);
    }

    @Test
    void graphApiErrorsAreLoggedAndTheSourceRecovers(CapturedOutput output) throws Exception {
        String tenant = newTenant("mfail");
        String pageId = "8" + (System.nanoTime() & 0xFFFFFFL);
        String token = "EAAF" + UUID.randomUUID().toString().replace("-", "");
        putSecret(tenant, "messenger-page-token", token);
        String path = "/v19.0/" + pageId + "/conversations";
        String scenario = "flaky-" + pageId;
        String[] states = {Scenario.STARTED, "401", "429", "bad-json", "timeout", "foreign-next", "ok", "429-again"};
        graph.stubFor(get(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(states[0])
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json").withBody(
                        graphError("An unexpected error has occurred. Please retry your request later.",
                                "OAuthException", 2)))
                .willSetStateTo(states[1]));
        graph.stubFor(get(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(states[1])
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json").withBody(
                        graphError("Error validating access token: Session has expired.", "OAuthException", 190)))
                .willSetStateTo(states[2]));
        graph.stubFor(get(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(states[2])
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json").withBody(
                        graphError("(#4) Application request limit reached", "OAuthException", 4)))
                .willSetStateTo(states[7]));
        // the HTTP client retries a 429 once by itself (after Retry-After): the run ends when that fails too
        graph.stubFor(get(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(states[7])
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withHeader("Retry-After", "0").withBody(
                        graphError("(#4) Application request limit reached", "OAuthException", 4)))
                .willSetStateTo(states[3]));
        graph.stubFor(get(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(states[3])
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"data\": [ {\"id\": "))
                .willSetStateTo(states[4]));
        graph.stubFor(get(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(states[4])
                .willReturn(okJson(conversations(pageId, List.of(), null)).withFixedDelay(3000))
                .willSetStateTo(states[5]));
        String mid = "m_" + UUID.randomUUID();
        graph.stubFor(get(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(states[5])
                .willReturn(okJson(conversations(pageId, List.of(conversation("t_9", List.of(graphMessage(mid,
                        "Recovered: the awning arrived.", "psid-7", "Dag", "2024-03-02T08:00:00+0000")))),
                        "http://elsewhere.example/v19.0/" + pageId + "/conversations?access_token=" + token
                                + "&after=X")))
                .willSetStateTo(states[6]));
        graph.stubFor(get(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(states[6])
                .willReturn(okJson(conversations(pageId, List.of(), null))));

        String route = startKamelet(tenant, source(pageId, null), Map.of("backfillDelay", "0", "backfillRuns", "7",
                "backfillPeriod", "300", "timeoutMillis", "1000"));

        await().atMost(Duration.ofSeconds(60)).until(() -> items.size() == 1);
        assertThat(items.get(0)).containsEntry("CaravanItemId", mid);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> graph.verify(8, getRequestedFor(urlPathEqualTo(path))));
        assertThat(camel.getRouteController().getRouteStatus(route)).isEqualTo(ServiceStatus.Started);
        String log = output.getAll();
        assertThat(log).contains("the Graph API answered HTTP 500 (OAuthException code 2")
                .contains("the Graph API answered HTTP 401 (OAuthException code 190: Error validating access token")
                .contains("the Graph API answered HTTP 429 (OAuthException code 4")
                .contains("the Graph API answer is not the conversations JSON")
                .contains("the Graph API call failed (")
                .contains("paging.next points outside the Graph API URL")
                .doesNotContain(token);
        assertThat(graph.findAll(getRequestedFor(urlPathEqualTo(path))))
                .allSatisfy(request -> assertThat(request.getHeaders().keys().stream()
                        .map(String::toLowerCase).collect(Collectors.toSet()))
                        .doesNotContain("caravantenantid", "caravansourceid"));
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /** Starts the Kamelet as the source manager will, handing each item to the intake; returns the route id. */
    private String startKamelet(String tenant, TenantConfig.Source source, Map<String, String> overrides)
            throws Exception {
        String instance = "mb-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> properties = new java.util.LinkedHashMap<>(binding.properties(TenantId.of(tenant), source));
        properties.put("graphUrl", graph.baseUrl() + "/v19.0");
        properties.putAll(overrides);
        StringBuilder uri = new StringBuilder("kamelet:messenger-source/" + instance + "?tenantId=" + tenant
                + "&sourceId=" + source.id());
        properties.forEach((name, value) -> uri.append('&').append(name).append("=RAW(").append(value).append(')'));
        String route = "test-" + instance;
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri.toString()).routeId(route)
                        .process(exchange -> {
                            Map<String, Object> item = new java.util.HashMap<>(exchange.getMessage().getHeaders());
                            item.put("tenant", TenantHeader.require(exchange).value());
                            item.put("body", exchange.getMessage().getBody(String.class));
                            exchange.getMessage().setBody(new NewDocument(
                                    (String) item.get("CaravanItemTitle"),
                                    ((String) item.get("body")).getBytes(StandardCharsets.UTF_8),
                                    (String) item.get("CaravanItemType"), (String) item.get("CaravanSourceType"),
                                    (String) item.get("CaravanItemUri"), null));
                            items.add(item);
                        })
                        .to("direct:ingest-document");
            }
        });
        routes.add(route);
        routes.add(instance); // the Kamelet's own route outlives its parent unless removed too (STACK.md #14)
        return instance;
    }

    private static TenantConfig.Source source(String pageId, String pageTokenSecret) {
        return new TenantConfig.Source("fb-page", "messenger", null, null, null, null, null, null, pageId,
                "messenger-app-secret", "messenger-verify-token", pageTokenSecret);
    }

    private void putSecret(String tenant, String name, String value) {
        HubClient.Response put = hub.putJson("/admin/v1/tenants/" + tenant + "/secrets/" + name, ADMIN_TOKEN,
                "{\"value\":" + quote(value) + "}");
        assertThat(put.status()).as(put.text()).isEqualTo(204);
    }

    private List<JsonNode> documents(String key) {
        HubClient.Response list = hub.get("/api/v1/documents?limit=500", key);
        List<JsonNode> docs = new ArrayList<>();
        list.json().path("items").forEach(docs::add);
        return docs;
    }

    private static String conversations(String pageId, List<String> conversations, String next) {
        String paging = "\"cursors\":{\"before\":\"QVFIUk\",\"after\":\"QVFIUl\"}"
                + (next == null ? "" : ",\"next\":" + quote(next));
        return "{\"data\":[" + String.join(",", conversations) + "],\"paging\":{" + paging + "}}";
    }

    private static String conversation(String id, List<String> messages) {
        return "{\"messages\":{\"data\":[" + String.join(",", messages) + "],\"paging\":{\"cursors\":{\"before\":\"a\","
                + "\"after\":\"b\"}}},\"id\":" + quote(id) + "}";
    }

    private static String graphMessage(String mid, String text, String fromId, String fromName, String time) {
        String from = "{\"id\":" + quote(fromId) + (fromName == null ? "" : ",\"name\":" + quote(fromName))
                + ",\"email\":" + quote(fromId + "@facebook.com") + "}";
        return "{\"message\":" + quote(text) + ",\"from\":" + from + ",\"created_time\":" + quote(time)
                + ",\"id\":" + quote(mid) + "}";
    }

    private static String graphError(String message, String type, int code) {
        return "{\"error\":{\"message\":" + quote(message) + ",\"type\":" + quote(type) + ",\"code\":" + code
                + ",\"fbtrace_id\":\"AbCdEfGh123\"}}";
    }

    /** Reaches the mid ledger bean by name, as the routes do. */
    private record MessengerMessagesProbe(CamelContext camel) {
        void record(TenantId tenant, MessengerMessage message) {
            camel.getRegistry().lookupByNameAndType("messengerMessages", MessengerMessages.class)
                    .record(tenant, message, null);
        }
    }
}
