package io.caravan.vector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.ChromaTestServer;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole hub with {@code caravan.vector.store=chroma} against a real Chroma 1.x server: two tenants ingest
 * and query over HTTP, each tenant's chunks live in its own Chroma database, and deleting a document or the
 * tenant removes them there.
 */
class ChromaHubTest extends HubTest {

    private static final String CHROMA_TENANT = "caravan-hub-test";

    @DynamicPropertySource
    static void chroma(DynamicPropertyRegistry registry) {
        registry.add("caravan.vector.store", () -> "chroma");
        registry.add("caravan.chroma.url", ChromaTestServer::url);
        registry.add("caravan.chroma.tenant", () -> CHROMA_TENANT);
    }

    @Autowired
    TenantVectorStore store;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theHubRunsOnChroma() {
        assertThat(store).isInstanceOf(MeteredVectorStore.class);
        assertThat(store.countChunks(io.caravan.tenancy.TenantId.of("nobody-here"))).isZero();
    }

    @Test
    void twoTenantsIngestAndQueryEachFromItsOwnChromaDatabase() throws Exception {
        String acme = newTenant("acme");
        String globex = newTenant("globex");
        String acmeKey = newKey(acme);
        String globexKey = newKey(globex);

        Set<String> acmeDocs = new HashSet<>();
        acmeDocs.add(addText(acmeKey, "Acme refunds", "Acme refunds every purchase within 14 days of the return. "
                + "Refund requests go to the Acme billing desk."));
        String shipping = addText(acmeKey, "Acme shipping", "Acme ships anvils by rail. Delivery takes a week.");
        acmeDocs.add(shipping);
        Set<String> globexDocs = new HashSet<>();
        globexDocs.add(addText(globexKey, "Globex refunds", "Globex refunds purchases within 90 days, "
                + "but only as store credit. Refund requests go to the Globex front office."));
        acmeDocs.forEach(id -> awaitStatus(acmeKey, id, "indexed"));
        globexDocs.forEach(id -> awaitStatus(globexKey, id, "indexed"));

        JsonNode acmeAnswer = ask(acmeKey, "How long do I have to get a refund?");
        JsonNode globexAnswer = ask(globexKey, "How long do I have to get a refund?");
        assertThat(acmeAnswer.get("answer").asText()).contains("14 days").doesNotContain("90 days", "Globex");
        assertThat(globexAnswer.get("answer").asText()).contains("90 days").doesNotContain("14 days", "Acme");
        assertThat(citedDocuments(acmeAnswer)).isNotEmpty().isSubsetOf(acmeDocs);
        assertThat(citedDocuments(globexAnswer)).isNotEmpty().isSubsetOf(globexDocs);
        JsonNode citation = acmeAnswer.get("citations").get(0);
        assertThat(citation.get("title").asText()).startsWith("Acme");
        assertThat(citation.get("score").asDouble()).isBetween(0.0, 1.0);

        // the chunks are in Chroma, one database per tenant
        assertThat(chromaCount(acme)).isEqualTo(2);
        assertThat(chromaCount(globex)).isEqualTo(1);

        assertThat(hub.delete("/api/v1/documents/" + shipping, acmeKey).status()).isEqualTo(204);
        assertThat(chromaCount(acme)).isEqualTo(1);
        JsonNode after = ask(acmeKey, "How are anvils delivered?");
        assertThat(citedDocuments(after)).doesNotContain(shipping);

        HubClient.Response erased = hub.delete("/admin/v1/tenants/" + acme, ADMIN_TOKEN);
        assertThat(erased.status()).as(erased.text()).isEqualTo(200);
        assertThat(erased.json().get("chunks").asInt()).isEqualTo(1);
        assertThat(status("/api/v2/tenants/" + CHROMA_TENANT + "/databases/caravan-" + acme)).isEqualTo(404);
        assertThat(chromaCount(globex)).isEqualTo(1);
        assertThat(ask(globexKey, "How long do I have to get a refund?").get("answer").asText()).contains("90 days");
    }

    private JsonNode ask(String key, String question) {
        HubClient.Response answer = hub.postJson("/api/v1/query", key, "{\"question\":" + quote(question) + "}");
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        return answer.json();
    }

    private static Set<String> citedDocuments(JsonNode answer) {
        Set<String> ids = new HashSet<>();
        answer.get("citations").forEach(c -> ids.add(c.get("documentId").asText()));
        return ids;
    }

    private int chromaCount(String tenant) throws IOException, InterruptedException {
        String database = ChromaTestServer.url() + "/api/v2/tenants/" + CHROMA_TENANT + "/databases/caravan-" + tenant;
        HttpResponse<String> collection = http.send(HttpRequest.newBuilder(URI.create(database
                + "/collections/chunks")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(collection.statusCode()).as(collection.body()).isEqualTo(200);
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(collection.body()).get("id").asText();
        return Integer.parseInt(http.send(HttpRequest.newBuilder(URI.create(database + "/collections/" + id
                + "/count")).build(), HttpResponse.BodyHandlers.ofString()).body().trim());
    }

    private int status(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(ChromaTestServer.url() + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
