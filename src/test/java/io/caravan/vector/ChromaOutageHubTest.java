package io.caravan.vector;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.caravan.ingest.ChunkRemovals;
import io.caravan.ingest.DocumentRegistry;
import io.caravan.support.ChromaTestServer;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The hub on a real Chroma server behind a proxy that can fail every call: a document deleted while Chroma is
 * down is deleted at once, and its chunks leave Chroma once it is back, whether the client repeats the delete or
 * not. Nothing is left behind in the vector store.
 */
class ChromaOutageHubTest extends HubTest {

    /** Forwards to the real Chroma server, or answers 503 while {@link #outage} is on. */
    static final WireMockServer PROXY = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    static {
        PROXY.start();
        PROXY.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(ChromaTestServer.url())));
    }

    @AfterAll
    static void stopProxy() {
        PROXY.stop();
    }

    @DynamicPropertySource
    static void chroma(DynamicPropertyRegistry registry) {
        registry.add("caravan.vector.store", () -> "chroma");
        registry.add("caravan.chroma.url", PROXY::baseUrl);
        registry.add("caravan.chroma.tenant", () -> "caravan-outage-test");
        registry.add("caravan.chroma.timeout", () -> "5s");
        // no background retry during the test: it finishes removals when the test says (see below)
        registry.add("caravan.vector.removal-retry", () -> "1h");
    }

    @Autowired
    TenantVectorStore store;
    @Autowired
    ChunkRemovals removals;
    @Autowired
    DocumentRegistry documents;
    @Autowired
    TenantRegistry tenants;

    @Test
    void chunksOfDocumentsDeletedDuringAnOutageLeaveOnceChromaIsBack() {
        String tenant = newTenant("outage");
        String key = newKey(tenant);
        String repeated = addText(key, "Tides", "High tide in the harbour is at noon on Sundays.");
        String left = addText(key, "Ferries", "The ferry to the island leaves every hour from pier four.");
        String alsoLeft = addText(key, "Buses", "The night bus stops at the harbour gate twice an hour.");
        awaitStatus(key, repeated, "indexed");
        awaitStatus(key, left, "indexed");
        awaitStatus(key, alsoLeft, "indexed");
        assertThat(store.countChunks(TenantId.of(tenant))).isEqualTo(3);

        StubMapping outage = PROXY.stubFor(any(anyUrl()).atPriority(1).willReturn(aResponse().withStatus(503)));
        try {
            for (String documentId : new String[] {repeated, left, alsoLeft}) {
                HubClient.Response refused = hub.delete("/api/v1/documents/" + documentId, key);
                assertThat(refused.status()).as(refused.text()).isEqualTo(503);
                assertThat(refused.code()).isEqualTo("upstream_unavailable");
                // deleted for the tenant at once: never answered again, its content free to be sent again
                HubClient.Response gone = hub.get("/api/v1/documents/" + documentId, key);
                assertThat(gone.field("status")).isEqualTo("deleted");
                assertThat(gone.field("chunks")).as("chunks still to be removed").isEqualTo("1");
            }
            assertThat(removals.nothingOwed()).isFalse();
        } finally {
            PROXY.removeStub(outage);
        }

        // the client that repeats its delete gets it finished; the other document's chunks go by themselves: the
        // retry (here, the one a start-up runs after finding what the registry says is owed)
        assertThat(hub.delete("/api/v1/documents/" + repeated, key).status()).isEqualTo(204);
        assertThat(hub.get("/api/v1/documents/" + repeated, key).field("chunks")).isEqualTo("0");
        // a hub starting now (another replica, or this one restarted) knows only what the registry says is owed
        // (a page of one: the two owed removals take two registry reads)
        try (ChunkRemovals starting = new ChunkRemovals(documents, tenants, store, Duration.ofHours(1), 1)) {
            assertThat(starting.nothingOwed()).isTrue();
            // (this hub's own retry waits an hour: the removal below is the starting one's, from the registry)
            starting.findOwed();
            await().atMost(Duration.ofSeconds(30)).until(() -> store.countChunks(TenantId.of(tenant)) == 0);
            await().atMost(Duration.ofSeconds(30)).until(starting::nothingOwed);
        }
        assertThat(store.countChunks(TenantId.of(tenant))).isZero();
        assertThat(hub.get("/api/v1/documents/" + left, key).field("chunks")).isEqualTo("0");
        assertThat(hub.get("/api/v1/documents/" + alsoLeft, key).field("chunks")).isEqualTo("0");
        assertThat(hub.delete("/api/v1/documents/" + repeated, key).status()).isEqualTo(404);
        assertThat(hub.delete("/api/v1/documents/" + left, key).status()).isEqualTo(404);
    }
}
