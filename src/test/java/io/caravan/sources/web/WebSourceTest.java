package io.caravan.sources.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.sources.SourceManager;
import io.caravan.sources.SourceStatuses;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The web source end to end: real HTTP sites, the real Kamelet instances started from tenant config, the real
 * ingestion pipeline.
 */
class WebSourceTest extends HubTest {

    private static final int MAX_DOCUMENT_BYTES = 4000;

    @Autowired
    SourceManager manager;

    @Autowired
    SourceStatuses statuses;

    private final List<TestSite> sites = new java.util.ArrayList<>();

    @AfterEach
    void closeSites() {
        sites.forEach(TestSite::close);
    }

    /** robots.txt, nested pages, a loop, a 404, a 500, a page over the tenant's limit, off-site and disallowed links. */
    private TestSite acmeSite() {
        TestSite site = new TestSite();
        sites.add(site);
        String offSite = "http://localhost:" + site.port() + "/offsite";
        site.page("/robots.txt", new TestSite.Page(200, "text/plain", "User-agent: *\nDisallow: /private\n", null))
                .html("/", "Acme docs", "<h1>Acme documentation</h1><p>Acme ships anvils to every desert in three days.</p>"
                        + "<a href=\"/docs/a\">Guide</a> <a href=\"/loop\">Loop</a> <a href=\"/missing\">Gone</a> "
                        + "<a href=\"/broken\">Broken</a> <a href=\"/big\">Big</a> <a href=\"/private/secret\">Secret</a> "
                        + "<a href=\"" + offSite + "\">Elsewhere</a> <a href=\"mailto:x@acme.example\">Mail</a> "
                        + "<a href=\"/notes.txt\">Notes</a> <a href=\"/logo.png\">Logo</a> <a href=\"/moved\">Moved</a> "
                        + "<a href=\"/old-guide\">Old guide</a>")
                .html("/docs/a", "Guide", "<p>The anvil guide explains how rockets are attached to roller skates.</p>"
                        + "<a href=\"a/b\">Deeper</a>")
                .html("/docs/a/b", "Deeper guide", "<p>Deep inside the guide: catapults need a counterweight of iron.</p>"
                        + "<a href=\"/\">Back home</a>")
                .html("/loop", "Loop", "<p>This page links to itself and home, forever and ever.</p>"
                        + "<a href=\"/loop\">Again</a> <a href=\"/\">Home</a>")
                .page("/broken", new TestSite.Page(500, "text/html", "<p>Internal error</p>", null))
                .html("/big", "Big", "<p>" + "Enormous page about giant magnets. ".repeat(200) + "</p>")
                .html("/private/secret", "Secret", "<p>The road runner's address is private.</p>")
                .html("/offsite", "Off site", "<p>Reached through another host name.</p>")
                .page("/notes.txt", new TestSite.Page(200, "text/plain; charset=UTF-8",
                        "Plain notes: the coyote orders everything from Acme by mail.", "\"notes-1\""))
                .page("/logo.png", new TestSite.Page(200, "image/png", "not really a png", "\"logo-1\""))
                .redirect("/moved", 302, offSite)
                .redirect("/old-guide", 301, "/docs/a");
        return site;
    }

    private String configure(String tenant, TestSite site) {
        String config = "{\"limits\":{\"maxDocumentBytes\":" + MAX_DOCUMENT_BYTES + "},\"sources\":[{\"id\":\"site\","
                + "\"type\":\"web\",\"startUrls\":[\"" + site.base() + "/\"],\"maxPages\":50,\"maxDepth\":5,"
                + "\"schedule\":\"PT1H\"}]}";
        HubClient.Response put = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN, config);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        return config;
    }

    @Test
    void crawlIngestsExactlyTheAllowedPagesQuarantinesBrokenOnesAndSkipsUnchangedPagesNextTime() {
        TestSite site = acmeSite();
        String tenant = newTenant("web");
        String key = newKey(tenant);
        configure(tenant, site);
        String base = site.base();

        awaitRuns(tenant, 1);
        Map<String, String> indexed = awaitDocuments(key, 5);
        assertThat(indexed.keySet()).containsExactlyInAnyOrder(base + "/", base + "/docs/a", base + "/docs/a/b",
                base + "/loop", base + "/notes.txt");
        assertThat(indexed.values()).containsOnly("indexed");
        Map<String, String> quarantined = quarantineReasons(key);
        assertThat(quarantined).containsExactlyInAnyOrderEntriesOf(Map.of(base + "/missing", "fetch_failed",
                base + "/broken", "fetch_failed", base + "/big", "too_large", base + "/logo.png", "unsupported_type"));
        assertThat(site.requestsFor("/private/secret")).as("disallowed by robots.txt").isZero();
        assertThat(site.requestsFor("/offsite")).as("another host is another site, also as a redirect target")
                .isZero();
        assertThat(site.requestsFor("/moved")).isEqualTo(1);
        assertThat(site.requestsFor("/docs/a")).as("a same-site redirect to a page already seen").isEqualTo(1);
        assertThat(site.requestsFor("/loop")).as("a loop is fetched once").isEqualTo(1);
        assertThat(site.requestsFor("/robots.txt")).isEqualTo(1);

        HubClient.Response sources = hub.get("/api/v1/sources", key);
        assertThat(sources.status()).isEqualTo(200);
        JsonNode item = sources.json().path("items").get(0);
        assertThat(item.path("id").asText()).isEqualTo("site");
        assertThat(item.path("type").asText()).isEqualTo("web");
        assertThat(item.path("state").asText()).isEqualTo("running");
        assertThat(item.path("itemsSeen").asLong()).isEqualTo(9);
        assertThat(item.path("lastRunAt").isTextual()).isTrue();
        assertThat(item.path("lastError").asText()).contains("/logo.png"); // the last failure of the crawl

        // the second crawl: every page answers 304 to its ETag, nothing new is ingested
        manager.restart(TenantId.of(tenant), "site");
        awaitRuns(tenant, 2);
        for (String path : List.of("/", "/docs/a", "/docs/a/b", "/loop", "/notes.txt")) {
            assertThat(site.requests()).as("conditional GET of %s", path)
                    .anyMatch(r -> r.path().equals(path) && r.ifNoneMatch() != null && r.status() == 304);
        }
        assertThat(documents(key)).isEqualTo(indexed);
        HubClient.Response quarantine = hub.get("/api/v1/quarantine", key);
        assertThat(quarantine.json().path("items")).as("a page failing again updates its entry").hasSize(4);
        assertThat(StreamSupport.stream(quarantine.json().path("items").spliterator(), false)
                .filter(q -> q.path("sourceUri").asText().endsWith("/missing"))
                .map(q -> q.path("attempts").asInt())).containsExactly(2);
        assertThat(statuses.find(TenantId.of(tenant), "site").orElseThrow().itemsSeen()).isEqualTo(13);
    }

    @Test
    void twoTenantsCrawlingAtOnceLandOnlyInTheirOwnStores() {
        TestSite acme = acmeSite();
        TestSite globex = new TestSite();
        sites.add(globex);
        globex.html("/", "Globex", "<p>Globex sells hammocks and volcano insurance.</p><a href=\"/about\">About</a>")
                .html("/about", "About Globex", "<p>Globex was founded by Hank Scorpio on a private island.</p>");
        String acmeTenant = newTenant("weba");
        String globexTenant = newTenant("webg");
        String acmeKey = newKey(acmeTenant);
        String globexKey = newKey(globexTenant);
        configure(acmeTenant, acme);
        configure(globexTenant, globex);

        Map<String, String> acmeDocs = awaitDocuments(acmeKey, 5);
        Map<String, String> globexDocs = awaitDocuments(globexKey, 2);
        assertThat(acmeDocs.keySet()).allMatch(uri -> uri.startsWith(acme.base()));
        assertThat(globexDocs.keySet()).containsExactlyInAnyOrder(globex.base() + "/", globex.base() + "/about");

        HubClient.Response answer = hub.postJson("/api/v1/query", globexKey,
                "{\"question\":\"Who ships anvils to the desert?\"}");
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        answer.json().path("citations").forEach(citation ->
                assertThat(citation.path("sourceUri").asText()).startsWith(globex.base()));
        assertThat(quarantineReasons(globexKey)).isEmpty();
    }

    private void awaitRuns(String tenant, long runs) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                statuses.find(TenantId.of(tenant), "site").map(SourceStatuses.Status::runs).orElse(0L) >= runs);
    }

    /** Waits until the tenant has {@code count} documents, all indexed; returns status by source URI. */
    private Map<String, String> awaitDocuments(String key, int count) {
        Map<String, String>[] last = new Map[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            last[0] = documents(key);
            assertThat(last[0].entrySet().stream().filter(e -> e.getValue().equals("indexed")).count())
                    .as(last[0].toString()).isEqualTo(count);
        });
        Map<String, String> withoutQuarantined = new HashMap<>(last[0]);
        withoutQuarantined.values().removeIf(status -> status.equals("quarantined"));
        return withoutQuarantined;
    }

    private Map<String, String> documents(String key) {
        HubClient.Response list = hub.get("/api/v1/documents?limit=100", key);
        assertThat(list.status()).as(list.text()).isEqualTo(200);
        Map<String, String> byUri = new HashMap<>();
        list.json().path("items").forEach(d -> {
            if (!d.path("status").asText().equals("quarantined")) {
                byUri.put(d.path("sourceUri").asText(), d.path("status").asText());
            }
        });
        return byUri;
    }

    private Map<String, String> quarantineReasons(String key) {
        HubClient.Response list = hub.get("/api/v1/quarantine", key);
        Map<String, String> reasons = new HashMap<>();
        Set<String> stages = new HashSet<>();
        list.json().path("items").forEach(q -> {
            reasons.put(q.path("sourceUri").asText(), q.path("reason").asText());
            stages.add(q.path("stage").asText());
            assertThat(q.path("sourceType").asText()).isEqualTo("web");
        });
        assertThat(stages).isSubsetOf("fetch");
        return reasons;
    }
}
