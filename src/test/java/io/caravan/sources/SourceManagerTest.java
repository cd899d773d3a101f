package io.caravan.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.sources.web.TestSite;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Tenant config changes start, restart and stop source instances; a failing source affects nobody else. */
class SourceManagerTest extends HubTest {

    @Autowired
    CamelContext camel;

    private TestSite site;

    @BeforeEach
    void site() {
        site = new TestSite();
        site.html("/", "One page", "<p>A single page about sources and their routes.</p>");
    }

    @AfterEach
    void close() {
        site.close();
    }

    private String web(String id, int maxPages) {
        return "{\"id\":\"" + id + "\",\"type\":\"web\",\"startUrls\":[\"" + site.base() + "/\"],\"maxPages\":"
                + maxPages + ",\"schedule\":\"PT1H\"}";
    }

    private HubClient.Response putSources(String tenant, String... sources) {
        return hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"sources\":[" + String.join(",", sources) + "]}");
    }

    @Test
    void configChangesStartRestartAndStopRoutesAndDeletionStopsAll() {
        String tenant = newTenant("srcm");
        String key = newKey(tenant);

        assertThat(putSources(tenant, web("one", 5)).status()).isEqualTo(200);
        Route one = camel.getRoute("source." + tenant + ".one");
        assertThat(one).isNotNull();
        assertThat(camel.getRoute(tenant + ".one")).as("the Kamelet's own route").isNotNull();
        assertThat(camel.getRoute(tenant + ".one").isCreatedByKamelet()).isTrue();
        assertThat(states(key)).isEqualTo(Map.of("one", "running"));

        // one changed (restarted), two added
        assertThat(putSources(tenant, web("one", 6), web("two", 5)).status()).isEqualTo(200);
        Route restarted = camel.getRoute("source." + tenant + ".one");
        assertThat(restarted).isNotNull().isNotSameAs(one);
        assertThat(camel.getRoute("source." + tenant + ".two")).isNotNull();
        assertThat(camel.getRoute(tenant + ".two")).isNotNull();
        assertThat(states(key)).isEqualTo(Map.of("one", "running", "two", "running"));

        // one unchanged (kept as it is), two removed
        assertThat(putSources(tenant, web("one", 6)).status()).isEqualTo(200);
        assertThat(camel.getRoute("source." + tenant + ".one")).isSameAs(restarted);
        assertThat(camel.getRoute("source." + tenant + ".two")).isNull();
        assertThat(camel.getRoute(tenant + ".two")).isNull();
        assertThat(states(key)).isEqualTo(Map.of("one", "running"));

        assertThat(hub.delete("/admin/v1/tenants/" + tenant, ADMIN_TOKEN).status()).isEqualTo(200);
        assertThat(routesOf(tenant)).isEmpty();
    }

    @Test
    void invalidSourcesAreRejectedWhenTheConfigIsPut() {
        String tenant = newTenant("srcv");

        HubClient.Response unknown = putSources(tenant, "{\"id\":\"x\",\"type\":\"ftp\"}");
        HubClient.Response duplicate = putSources(tenant, web("same", 5), web("same", 6));
        HubClient.Response badId = putSources(tenant, web("a.b", 5));

        for (HubClient.Response response : List.of(unknown, duplicate, badId)) {
            assertThat(response.status()).as(response.text()).isEqualTo(400);
            assertThat(response.code()).isEqualTo("invalid_request");
        }
        assertThat(unknown.text()).contains("ftp");
        assertThat(routesOf(tenant)).isEmpty();
    }

    @Test
    void aSourceItsBindingRefusesIsFailingWhileAnotherTenantsSourceRuns() {
        String broken = newTenant("srcf");
        String healthy = newTenant("srch");
        String brokenKey = newKey(broken);
        String healthyKey = newKey(healthy);

        assertThat(putSources(broken, "{\"id\":\"bad\",\"type\":\"web\",\"startUrls\":[\"ftp://files.example/\"]}",
                web("good", 5)).status()).isEqualTo(200);
        assertThat(putSources(healthy, web("site", 5)).status()).isEqualTo(200);

        JsonNode bad = source(brokenKey, "bad");
        assertThat(bad.path("state").asText()).isEqualTo("failing");
        assertThat(bad.path("lastError").asText()).contains("startUrls");
        assertThat(camel.getRoute("source." + broken + ".bad")).isNull();
        assertThat(source(brokenKey, "good").path("state").asText()).as("the tenant's other source").isEqualTo("running");
        assertThat(source(healthyKey, "site").path("state").asText()).isEqualTo("running");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            HubClient.Response docs = hub.get("/api/v1/documents?status=indexed", healthyKey);
            assertThat(docs.json().path("items")).hasSize(1);
        });
    }

    private Map<String, String> states(String key) {
        HubClient.Response list = hub.get("/api/v1/sources", key);
        assertThat(list.status()).as(list.text()).isEqualTo(200);
        Map<String, String> states = new HashMap<>();
        list.json().path("items").forEach(s -> states.put(s.path("id").asText(), s.path("state").asText()));
        return states;
    }

    private JsonNode source(String key, String id) {
        HubClient.Response list = hub.get("/api/v1/sources", key);
        for (JsonNode item : list.json().path("items")) {
            if (item.path("id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError("no source " + id + " in " + list.text());
    }

    private List<String> routesOf(String tenant) {
        return camel.getRoutes().stream().map(Route::getRouteId)
                .filter(id -> id.startsWith(tenant + ".") || id.startsWith("source." + tenant + ".")).toList();
    }

}
