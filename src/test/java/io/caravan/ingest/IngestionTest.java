package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.sources.SourceItemHeaders;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.api.Tag;

/** The ingestion pipeline end to end over HTTP: idempotence, versions, quarantine, budgets and stage metrics. */
@Tag("contract")
class IngestionTest extends HubTest {

    @Autowired
    ProducerTemplate camel;
    @Autowired
    DocumentVersions versions;
    @Autowired
    DocumentRegistry registry;
    @Autowired
    TenantRegistry tenants;

    @Test
    void identicalUploadsRacingEachOtherProduceOneDocument() throws Exception {
        String key = newKey(newTenant("race"));
        String body = "{\"title\":\"Race\",\"text\":\"Twenty clients upload these very same words at once.\"}";
        int clients = 20;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<HubClient.Response>> responses = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                responses.add(pool.submit(() -> {
                    start.await();
                    return hub.postJson("/api/v1/documents", key, body);
                }));
            }
            start.countDown();
            Set<String> ids = new HashSet<>();
            int queued = 0;
            for (Future<HubClient.Response> response : responses) {
                HubClient.Response r = response.get();
                assertThat(r.status()).as(r.text()).isIn(200, 202);
                ids.add(r.field("documentId"));
                queued += "queued".equals(r.field("status")) ? 1 : 0;
            }
            assertThat(ids).hasSize(1);
            assertThat(queued).isEqualTo(1);
            awaitStatus(key, ids.iterator().next(), "indexed");
            assertThat(hub.get("/api/v1/documents", key).json().get("items")).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameTextInAnotherFormatIsADuplicateFoundByTheIdempotentConsumer() {
        String key = newKey(newTenant("formats"));
        String text = addText(key, "Plain", "The lighthouse on the cape was painted red in 1921.");
        awaitStatus(key, text, "indexed");
        HubClient.Response html = hub.upload("/api/v1/documents", key, "lighthouse.html", "text/html",
                "<html><body><p>The lighthouse on the cape was painted red in 1921.</p></body></html>"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(html.status()).as("different bytes: accepted, then compared on extracted text").isEqualTo(202);
        String duplicate = html.field("documentId");
        HubClient.Response found = awaitStatus(key, duplicate, "duplicate");
        assertThat(found.field("duplicateOf")).isEqualTo(text);
        assertThat(found.field("chunks")).isEqualTo("0");

        JsonNode answer = hub.postJson("/api/v1/query", key, "{\"question\":\"What colour is the lighthouse?\"}").json();
        assertThat(answer.get("citations")).hasSize(1);
        assertThat(answer.get("citations").get(0).get("documentId").asText()).isEqualTo(text);

        // the very same bytes again are recognised at once and point at the original
        HubClient.Response again = hub.upload("/api/v1/documents", key, "lighthouse.html", "text/html",
                "<html><body><p>The lighthouse on the cape was painted red in 1921.</p></body></html>"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.field("documentId")).isEqualTo(text);

        // once the original is deleted, that content is new again: not a duplicate of a deleted document
        assertThat(hub.delete("/api/v1/documents/" + text, key).status()).isEqualTo(204);
        HubClient.Response afterDeletion = hub.upload("/api/v1/documents", key, "lighthouse.html", "text/html",
                "<html><body><p>The lighthouse on the cape was painted red in 1921.</p></body></html>"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(afterDeletion.status()).as(afterDeletion.text()).isEqualTo(202);
        awaitStatus(key, afterDeletion.field("documentId"), "indexed");
    }

    /**
     * A crash between a version's indexing and the older versions' retirement (two commits) leaves them indexed
     * side by side: a start-up repairs it, and so does a redelivery of the new version.
     */
    @Test
    void versionsACrashLeftSideBySideAreRetiredAtStartUpOrByARedelivery() {
        String tenant = newTenant("leftover");
        String key = newKey(tenant);
        String menu = "https://intranet.example/menu";
        String first = add(key, "Canteen menu", menu + "-1", "On Mondays the canteen serves soup.");
        String second = add(key, "Canteen menu", menu + "-2", "On Mondays the canteen serves pasta.");
        String third = add(key, "Canteen menu", menu + "-3", "On Mondays the canteen serves curry now.");
        List.of(first, second, third).forEach(id -> awaitStatus(key, id, "indexed"));
        // the state such a crash leaves: three indexed documents of one source
        List.of(first, second, third).forEach(id -> sourceUri(tenant, id, menu));
        assertThat(registry.newestOfSourcesIndexedTwice(TenantId.of(tenant))).extracting(Document::documentId)
                .containsExactly(third);

        versions.retireLeftovers();

        for (String older : List.of(first, second)) {
            HubClient.Response retired = hub.get("/api/v1/documents/" + older, key);
            assertThat(retired.field("status")).isEqualTo("deleted");
            assertThat(retired.field("chunks")).as("its chunks removed").isEqualTo("0");
        }
        assertThat(hub.get("/api/v1/documents/" + third, key).field("status")).isEqualTo("indexed");

        // the same state again, repaired by the new version's redelivery (a queue hands it over once more)
        String hours = "https://intranet.example/hours";
        String before = add(key, "Opening hours", hours + "-1", "The library opens at nine.");
        String after = add(key, "Opening hours", hours + "-2", "The library opens at ten.");
        awaitStatus(key, before, "indexed");
        awaitStatus(key, after, "indexed");
        List.of(before, after).forEach(id -> sourceUri(tenant, id, hours));
        camel.sendBodyAndHeaders("direct:enqueue-document", after, TenantHeader.headers(TenantId.of(tenant)));
        awaitStatus(key, before, "deleted");
        assertThat(hub.get("/api/v1/documents/" + after, key).field("status")).isEqualTo("indexed");
    }

    private void sourceUri(String tenant, String documentId, String uri) {
        storedRows().sql("UPDATE documents SET source_uri = :uri WHERE tenant_id = :tenant AND document_id = :id")
                .param("uri", uri).param("tenant", tenant).param("id", documentId).update();
    }

    /** What a connector emits is not checked by the REST edge: the intake fits it to the registry itself. */
    @Test
    void aConnectorsOverLongTitleIsCutAndItsOverLongUriEndsInTheQuarantine() {
        String tenant = newTenant("long");
        String key = newKey(tenant);
        IntakeResult accepted = sourceItem(tenant, "T".repeat(1500), "https://example.test/long-title",
                "A page whose title is far longer than any registry column.");
        assertThat(awaitStatus(key, accepted.documentId(), "indexed").field("title")).hasSize(1000);

        String longUri = "https://example.test/" + "x".repeat(2100);
        sourceItem(tenant, "Long address", longUri, "A page whose address is far too long to be stored.");
        JsonNode items = hub.get("/api/v1/quarantine", key).json().get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("sourceUri").asText()).isEqualTo(longUri.substring(0, 2000));
        assertThat(items.get(0).get("error").asText()).contains("longer than 2000 characters");
    }

    private IntakeResult sourceItem(String tenant, String title, String uri, String text) {
        Map<String, Object> headers = new HashMap<>(TenantHeader.headers(TenantId.of(tenant)));
        headers.put(SourceItemHeaders.SOURCE_TYPE, "web");
        headers.put(SourceItemHeaders.SOURCE_ID, "site");
        headers.put(SourceItemHeaders.TITLE, title);
        headers.put(SourceItemHeaders.URI, uri);
        headers.put(SourceItemHeaders.CONTENT_TYPE, "text/plain");
        return camel.requestBodyAndHeaders("direct:ingest-source-item", text.getBytes(StandardCharsets.UTF_8),
                headers, IntakeResult.class);
    }

    @Test
    void aNewVersionOfASourceReplacesTheOldChunks() {
        String key = newKey(newTenant("versions"));
        String v1 = add(key, "Opening hours", "https://intranet.example/hours",
                "The museum opens at nine in the morning on weekdays.");
        awaitStatus(key, v1, "indexed");
        String v2 = add(key, "Opening hours", "https://intranet.example/hours",
                "The museum opens at eleven in the morning on weekdays since the renovation.");
        awaitStatus(key, v2, "indexed");
        awaitStatus(key, v1, "deleted");

        JsonNode answer = hub.postJson("/api/v1/query", key, "{\"question\":\"When does the museum open?\"}").json();
        assertThat(answer.get("answer").asText()).contains("eleven").doesNotContain("nine");
        Set<String> cited = new HashSet<>();
        answer.get("citations").forEach(c -> cited.add(c.get("documentId").asText()));
        assertThat(cited).containsExactly(v2);
    }

    @Test
    void invalidTextIsQuarantinedAndCanBeRetriedOrDiscarded() {
        String tenant = newTenant("quarantine");
        String key = newKey(tenant);
        byte[] invalidUtf8 = {'o', 'k', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF, 'x'};
        HubClient.Response upload = hub.upload("/api/v1/documents", key, "broken.txt", "text/plain", invalidUtf8);
        assertThat(upload.status()).isEqualTo(202);
        String documentId = upload.field("documentId");
        String good = addText(key, "Good", "A good document sent alongside the broken one.");
        awaitStatus(key, documentId, "quarantined");
        awaitStatus(key, good, "indexed");

        JsonNode item = hub.get("/api/v1/quarantine", key).json().get("items").get(0);
        assertThat(item.get("documentId").asText()).isEqualTo(documentId);
        assertThat(item.get("stage").asText()).isEqualTo("parse");
        assertThat(item.get("reason").asText()).isEqualTo("parse_error");
        assertThat(item.get("error").asText()).isNotBlank();
        assertThat(item.get("attempts").asInt()).isEqualTo(1);
        assertThat(item.get("sourceType").asText()).isEqualTo("upload");
        assertThat(item.get("quarantinedAt").asText()).isNotBlank();

        // retry: it re-enters the pipeline and, still broken, comes back with a new quarantine entry
        assertThat(hub.post("/api/v1/quarantine/" + item.get("id").asText() + "/retry", key).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode items = hub.get("/api/v1/quarantine", key).json().get("items");
            assertThat(items).hasSize(1);
            assertThat(items.get(0).get("id").asText()).isNotEqualTo(item.get("id").asText());
        });
        String second = hub.get("/api/v1/quarantine", key).json().get("items").get(0).get("id").asText();
        assertThat(hub.delete("/api/v1/quarantine/" + second, key).status()).isEqualTo(204);
        assertThat(hub.get("/api/v1/quarantine", key).json().get("items")).isEmpty();
        // discarded: the document is given up and its content released, so it may be sent again
        assertThat(hub.get("/api/v1/documents/" + documentId, key).field("status")).isEqualTo("deleted");

        assertThat(hub.delete("/api/v1/quarantine/" + second, key).code()).isEqualTo("not_found");
        assertThat(hub.post("/api/v1/quarantine/" + second + "/retry", key).code()).isEqualTo("not_found");
        assertThat(scrape()).contains("rag_quarantine_documents{application=\"caravan\",tenant_id=\"" + tenant + "\"} 0.0");
        assertThat(hub.upload("/api/v1/documents", key, "broken.txt", "text/plain", invalidUtf8).status()).isEqualTo(202);
    }

    @Test
    void aDocumentOverTheEmbeddingBudgetIsDeferredAndIndexedOnceTheBudgetIsRaised() {
        String tenant = newTenant("budget");
        String key = newKey(tenant);
        configure(tenant, "{\"budgets\":{\"embeddingTokensPerMonth\":40}}");
        String small = addText(key, "Small", "Twenty tokens fit easily in this budget.");
        awaitStatus(key, small, "indexed");
        String big = addText(key, "Big", "This document is much longer than the budget allows, because it keeps "
                + "going on and on with words about budgets, tokens, embeddings and months, far beyond forty.");
        awaitStatus(key, big, "quarantined");

        JsonNode item = hub.get("/api/v1/quarantine", key).json().get("items").get(0);
        assertThat(item.get("reason").asText()).isEqualTo("budget_exceeded");
        assertThat(item.get("stage").asText()).isEqualTo("embed");
        JsonNode budget = hub.get("/api/v1/budget", key).json();
        assertThat(budget.get("embeddingTokensPerMonth").asLong()).isEqualTo(40);
        long usedBefore = budget.get("embeddingTokensThisMonth").asLong();
        assertThat(usedBefore).isPositive().isLessThanOrEqualTo(40);
        assertThat(budget.get("embeddingTokensReserved").asLong()).isZero();
        assertThat(hub.get("/api/v1/documents/" + big, key).field("chunks")).isEqualTo("0");
        assertThat(scrape()).containsPattern("rag_budget_used_ratio\\{[^}]*budget=\"embedding_monthly\",tenant_id=\""
                + tenant + "\"} 0\\.[1-9]");

        configure(tenant, "{\"budgets\":{\"embeddingTokensPerMonth\":100000}}");
        assertThat(hub.post("/api/v1/quarantine/" + item.get("id").asText() + "/retry", key).status()).isEqualTo(202);
        awaitStatus(key, big, "indexed");
        assertThat(hub.get("/api/v1/budget", key).json().get("embeddingTokensThisMonth").asLong()).isGreaterThan(usedBefore);
        assertThat(hub.get("/api/v1/quarantine", key).json().get("items")).isEmpty();
    }

    /**
     * A budget set through another replica holds for the very next document, though this replica has just cached
     * the tenant's config without it (for {@code caravan.tenants.config-cache-ttl}): the reservation reads the
     * limit from the config row.
     */
    @Test
    void anEmbeddingBudgetSetThroughAnotherReplicaHoldsForTheNextDocument() {
        String tenant = newTenant("budget-elsewhere");
        String key = newKey(tenant);
        awaitStatus(key, addText(key, "Free", "Indexed while the tenant has no embedding budget at all."), "indexed");
        assertThat(tenants.config(TenantId.of(tenant)).budgets().embeddingTokensPerMonth()).isNull(); // cached here
        assertThat(storedRows().sql("""
                        UPDATE tenants SET config_json = '{"budgets":{"embeddingTokensPerMonth":5}}',
                               config_version = config_version + 1 WHERE id = :id""")
                .param("id", tenant).update()).isEqualTo(1);

        String over = addText(key, "Over", "Far more than five tokens, in a document sent right after the change.");
        awaitStatus(key, over, "quarantined");
        JsonNode item = hub.get("/api/v1/quarantine", key).json().get("items").get(0);
        assertThat(item.get("reason").asText()).isEqualTo("budget_exceeded");
        assertThat(item.get("error").asText()).endsWith("limit 5)");
    }

    @Test
    void everyStageIsTimedAndEveryOutcomeCountedPerTenant() {
        String tenant = newTenant("metrics");
        String key = newKey(tenant);
        String documentId = addText(key, "Measured", "Each stage of this document is timed.");
        awaitStatus(key, documentId, "indexed");
        hub.postJson("/api/v1/documents", key, "{\"title\":\"Again\",\"text\":\"Each stage of this document is timed.\"}");
        String scrape = scrape();
        for (String stage : new String[] {"fetch", "parse", "chunk", "embed", "upsert"}) {
            assertThat(scrape).containsPattern("rag_ingest_stage_seconds_count\\{[^}]*outcome=\"ok\",source_type=\"upload\","
                    + "stage=\"" + stage + "\",tenant_id=\"" + tenant + "\"} 1");
        }
        assertThat(scrape).contains("rag_ingest_documents_total{application=\"caravan\",outcome=\"indexed\","
                + "source_type=\"upload\",tenant_id=\"" + tenant + "\"} 1.0");
        assertThat(scrape).contains("rag_ingest_documents_total{application=\"caravan\",outcome=\"duplicate\","
                + "source_type=\"upload\",tenant_id=\"" + tenant + "\"} 1.0");
        assertThat(scrape).containsPattern("rag_embedding_tokens_total\\{[^}]*model=\"all-minilm-l6-v2-q\",tenant_id=\""
                + tenant + "\"} [1-9]");
        hub.postJson("/api/v1/query", key, "{\"question\":\"timed?\"}");
        assertThat(scrape()).containsPattern("rag_query_latency_seconds_count\\{[^}]*cache_hit=\"false\","
                + "llm_provider=\"extractive\",source_type=\"upload\",tenant_id=\"" + tenant + "\"} 1");
    }

    private String add(String key, String title, String sourceUri, String text) {
        HubClient.Response added = hub.postJson("/api/v1/documents", key, "{\"title\":" + quote(title)
                + ",\"sourceUri\":" + quote(sourceUri) + ",\"text\":" + quote(text) + "}");
        assertThat(added.status()).as(added.text()).isEqualTo(202);
        return added.field("documentId");
    }

    private String scrape() {
        return new String(hub.get("/actuator/prometheus", null).text().getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8);
    }
}
