package io.caravan.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.observability.MetricNames;
import io.caravan.observability.TenantMetrics;
import io.caravan.support.ChromaTestServer;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Chroma adapter against a real Chroma 1.x server (HTTP API v2). Every test uses fresh tenants. */
class ChromaVectorStoreTest {

    private static final float[] X = {1, 0, 0};
    private static final float[] Y = {0, 1, 0};
    private static final float[] Z = {0, 0, 1};
    private static final String CHROMA_TENANT = "caravan-test";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String url = ChromaTestServer.url();
    private final ChromaSettings settings = new ChromaSettings(url, CHROMA_TENANT, "chunks", Duration.ofSeconds(10));
    private SimpleMeterRegistry meters;
    private TenantVectorStore store;
    private TenantId acme;
    private TenantId globex;

    @BeforeEach
    void open() {
        meters = new SimpleMeterRegistry();
        store = new MeteredVectorStore(VectorConfiguration.chroma(settings), new TenantMetrics(meters));
        acme = fresh("acme");
        globex = fresh("globex");
    }

    private static TenantId fresh(String prefix) {
        return TenantId.of(prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36));
    }

    private static VectorChunk chunk(String documentId, int index, String text, float[] vector) {
        return new VectorChunk(documentId + "-" + index, documentId, index, "title of " + documentId, "upload",
                "https://example.test/" + documentId, text, vector);
    }

    private static List<String> texts(List<VectorMatch> matches) {
        return matches.stream().map(m -> m.chunk().text()).toList();
    }

    // ---- fail closed -------------------------------------------------------------------------------------

    @Test
    void everyMethodWithoutTenantThrows() {
        List<ThrowingCallable> calls = List.of(
                () -> store.replaceDocument(null, "d1", List.of(chunk("d1", 0, "text", X))),
                () -> store.search(null, X, 5),
                () -> store.deleteDocument(null, "d1"),
                () -> store.deleteTenant(null),
                () -> store.countChunks(null));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(MissingTenantException.class);
        }
    }

    @Test
    void chromaDownIsAClearErrorNotAnEmptyAnswer() {
        String nowhere = "http://127.0.0.1:" + ChromaTestServer.freePort();
        TenantVectorStore down = VectorConfiguration.chroma(
                new ChromaSettings(nowhere, CHROMA_TENANT, "chunks", Duration.ofSeconds(2)));
        List<ThrowingCallable> calls = List.of(
                () -> down.replaceDocument(acme, "d1", List.of(chunk("d1", 0, "text", X))),
                () -> down.search(acme, X, 5),
                () -> down.deleteDocument(acme, "d1"),
                () -> down.deleteTenant(acme),
                () -> down.countChunks(acme));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(ChromaUnavailableException.class).hasMessageContaining(nowhere);
        }
    }

    @Test
    void missingUrlNamesTheSetting() {
        TenantVectorStore unset = VectorConfiguration.chroma(
                new ChromaSettings("", CHROMA_TENANT, "chunks", Duration.ofSeconds(2)));
        assertThatThrownBy(() -> unset.countChunks(acme)).hasMessageContaining("CARAVAN_CHROMA_URL");
    }

    // ---- isolation ---------------------------------------------------------------------------------------

    @Test
    void tenantsNeverSeeEachOthersChunksEvenWithIdenticalVectors() throws Exception {
        store.replaceDocument(acme, "doc-a", List.of(chunk("doc-a", 0, "acme only text", X),
                chunk("doc-a", 1, "acme other text", Y)));
        store.replaceDocument(globex, "doc-b", List.of(chunk("doc-b", 0, "globex only text", X)));
        store.replaceDocument(globex, "doc-a", List.of(chunk("doc-a", 0, "globex doc-a text", X)));

        List<VectorMatch> forAcme = store.search(acme, X, 10);
        assertThat(texts(forAcme)).containsExactly("acme only text", "acme other text");
        assertThat(forAcme.get(0).score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(forAcme.get(1).score()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-5));
        VectorChunk first = forAcme.get(0).chunk();
        assertThat(first.chunkId()).isEqualTo("doc-a-0");
        assertThat(first.documentId()).isEqualTo("doc-a");
        assertThat(first.index()).isZero();
        assertThat(first.title()).isEqualTo("title of doc-a");
        assertThat(first.sourceType()).isEqualTo("upload");
        assertThat(first.sourceUri()).isEqualTo("https://example.test/doc-a");
        assertThat(first.vector()).as("searched without the stored vectors").isEmpty();

        assertThat(texts(store.search(globex, X, 10))).containsExactlyInAnyOrder("globex only text",
                "globex doc-a text");
        assertThat(store.countChunks(acme)).isEqualTo(2);
        assertThat(store.countChunks(globex)).isEqualTo(2);
        assertThat(store.deleteDocument(acme, "doc-b")).isZero();
        assertThat(store.countChunks(globex)).isEqualTo(2);

        // one Chroma database per tenant
        JsonNode databases = get("/api/v2/tenants/" + CHROMA_TENANT + "/databases");
        List<String> names = databases.findValuesAsText("name");
        assertThat(names).contains("caravan-" + acme.value(), "caravan-" + globex.value());
    }

    @Test
    void aChunkStampedWithAnotherTenantIsRefusedAndCounted() throws Exception {
        store.replaceDocument(acme, "doc-a", List.of(chunk("doc-a", 0, "acme text", Y)));
        // plant a chunk stamped with globex inside acme's own collection, bypassing the store
        String collection = get(databasePath(acme) + "/collections/chunks").get("id").asText();
        post(databasePath(acme) + "/collections/" + collection + "/add", Map.of(
                "ids", List.of("planted"),
                "embeddings", List.of(List.of(1, 0, 0)),
                "documents", List.of("globex secret"),
                "metadatas", List.of(Map.of("tenant_id", globex.value(), "document_id", "doc-g"))));

        assertThatThrownBy(() -> store.search(acme, X, 5))
                .isInstanceOf(IsolationViolationException.class)
                .hasMessageContaining(acme.value()).hasMessageContaining(globex.value());
        Counter violations = meters.find(MetricNames.ISOLATION_VIOLATIONS)
                .tag(MetricNames.TENANT_TAG, acme.value()).counter();
        assertThat(violations).isNotNull();
        assertThat(violations.count()).isEqualTo(1.0);
        assertThat(meters.find(MetricNames.ISOLATION_VIOLATIONS).tag(MetricNames.TENANT_TAG, globex.value())
                .counter()).isNull();
    }

    @Test
    void aChunkWithoutAnyTenantStampIsRefusedToo() throws Exception {
        store.replaceDocument(acme, "doc-a", List.of(chunk("doc-a", 0, "acme text", Y)));
        String collection = get(databasePath(acme) + "/collections/chunks").get("id").asText();
        post(databasePath(acme) + "/collections/" + collection + "/add", Map.of("ids", List.of("unstamped"),
                "embeddings", List.of(List.of(1, 0, 0)), "documents", List.of("who knows"),
                "metadatas", List.of(Map.of("document_id", "doc-x"))));

        assertThatThrownBy(() -> store.search(acme, X, 5)).isInstanceOf(IsolationViolationException.class);
    }

    // ---- writes ------------------------------------------------------------------------------------------

    @Test
    void replaceDocumentLeavesNoStaleChunksAndRepeatingItIsANoOp() {
        store.replaceDocument(acme, "doc-1", List.of(chunk("doc-1", 0, "old zero", X), chunk("doc-1", 1, "old one", Y),
                chunk("doc-1", 2, "old two", Z)));
        store.replaceDocument(acme, "doc-2", List.of(chunk("doc-2", 0, "other doc", Y)));
        assertThat(store.countChunks(acme)).isEqualTo(4);

        List<VectorChunk> next = List.of(chunk("doc-1", 0, "new zero", Z));
        store.replaceDocument(acme, "doc-1", next);
        store.replaceDocument(acme, "doc-1", next);

        assertThat(store.countChunks(acme)).isEqualTo(2);
        assertThat(texts(store.search(acme, X, 10))).containsExactlyInAnyOrder("new zero", "other doc");
        store.replaceDocument(acme, "doc-1", List.of());
        assertThat(texts(store.search(acme, X, 10))).containsExactly("other doc");
    }

    @Test
    void aReplaceInterruptedAfterTheAddShowsOnlyTheNewVersionAndTheRetryCleansUp() {
        ChromaVectorStore early = new ChromaVectorStore(settings, new ChromaRest(settings, json), clockAt(1_000));
        early.replaceDocument(acme, "doc-1", List.of(chunk("doc-1", 0, "old zero", X), chunk("doc-1", 1, "old one", X)));
        // the process dies between adding the new version and deleting the old one
        ChromaRest dying = new ChromaRest(settings, json) {
            @Override
            void deleteIds(String database, String collectionId, List<String> ids) {
                throw new IllegalStateException("killed before the delete");
            }
        };
        List<VectorChunk> next = List.of(chunk("doc-1", 0, "new zero", X));
        ChromaVectorStore crashing = new ChromaVectorStore(settings, dying, clockAt(2_000));
        assertThatThrownBy(() -> crashing.replaceDocument(acme, "doc-1", next)).hasMessageContaining("killed");

        // both versions are stored, never none; a search shows only the newest one
        assertThat(store.countChunks(acme)).isEqualTo(3);
        assertThat(texts(store.search(acme, X, 10))).containsExactly("new zero");
        // the pipeline re-runs the unfinished document: the leftovers go
        store.replaceDocument(acme, "doc-1", next);
        assertThat(store.countChunks(acme)).isEqualTo(1);
        assertThat(texts(store.search(acme, X, 10))).containsExactly("new zero");
    }

    @Test
    void deleteDocumentRemovesItsChunksOnly() {
        store.replaceDocument(acme, "doc-1", List.of(chunk("doc-1", 0, "a", X), chunk("doc-1", 1, "b", Y)));
        store.replaceDocument(acme, "doc-2", List.of(chunk("doc-2", 0, "c", Z)));
        store.replaceDocument(globex, "doc-1", List.of(chunk("doc-1", 0, "g", X)));

        assertThat(store.deleteDocument(acme, "doc-1")).isEqualTo(2);
        assertThat(store.deleteDocument(acme, "doc-1")).isZero();
        assertThat(store.deleteDocument(acme, "never-there")).isZero();
        assertThat(store.countChunks(acme)).isEqualTo(1);
        assertThat(texts(store.search(acme, X, 10))).containsExactly("c");
        assertThat(texts(store.search(globex, X, 10))).containsExactly("g");
    }

    @Test
    void deleteTenantDropsItsDatabaseAndReportsTheCount() throws Exception {
        store.replaceDocument(acme, "doc-1", List.of(chunk("doc-1", 0, "a", X), chunk("doc-1", 1, "b", Y)));
        store.replaceDocument(acme, "doc-2", List.of(chunk("doc-2", 0, "c", Z)));
        store.replaceDocument(globex, "doc-1", List.of(chunk("doc-1", 0, "g", X)));
        assertThat(status(databasePath(acme))).isEqualTo(200);

        assertThat(store.deleteTenant(acme)).isEqualTo(3);

        assertThat(status(databasePath(acme))).isEqualTo(404);
        assertThat(store.countChunks(acme)).isZero();
        assertThat(store.search(acme, X, 10)).isEmpty();
        assertThat(store.deleteDocument(acme, "doc-1")).isZero();
        assertThat(store.deleteTenant(acme)).isZero();
        // reads never recreate the database
        assertThat(status(databasePath(acme))).isEqualTo(404);
        assertThat(texts(store.search(globex, X, 10))).containsExactly("g");
    }

    @Test
    void aTenantDeletedByAnotherReplicaIsNoticedHere() {
        store.replaceDocument(acme, "doc-1", List.of(chunk("doc-1", 0, "a", X)));
        assertThat(store.countChunks(acme)).isEqualTo(1);

        TenantVectorStore otherReplica = VectorConfiguration.chroma(settings);
        assertThat(otherReplica.deleteTenant(acme)).isEqualTo(1);

        // this replica's cached collection is gone: it looks again instead of failing or writing into nothing
        assertThat(store.countChunks(acme)).isZero();
        assertThat(store.search(acme, X, 10)).isEmpty();
        store.replaceDocument(acme, "doc-2", List.of(chunk("doc-2", 0, "b", X)));
        assertThat(texts(store.search(acme, X, 10))).containsExactly("b");
    }

    @Test
    void searchRanksByCosineAndHonoursTopK() {
        store.replaceDocument(acme, "doc-1", List.of(
                chunk("doc-1", 0, "exact", new float[] {2, 0, 0}),
                chunk("doc-1", 1, "close", new float[] {1, 0.2f, 0}),
                chunk("doc-1", 2, "far", new float[] {0, 1, 0}),
                chunk("doc-1", 3, "opposite", new float[] {-1, 0, 0})));

        assertThat(texts(store.search(acme, X, 2))).containsExactly("exact", "close");
        assertThat(texts(store.search(acme, X, 10))).containsExactly("exact", "close", "far", "opposite");
        assertThat(store.search(acme, X, 10).get(3).score()).isCloseTo(-1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void nullSourceUriAndUnicodeSurvive() {
        store.replaceDocument(acme, "doc-1", List.of(
                new VectorChunk("c-0", "doc-1", 0, "Grüße 🚀", "upload", null, "naïve café — 日本語", X)));

        VectorChunk loaded = store.search(acme, X, 1).get(0).chunk();
        assertThat(loaded.sourceUri()).isNull();
        assertThat(loaded.title()).isEqualTo("Grüße 🚀");
        assertThat(loaded.text()).isEqualTo("naïve café — 日本語");
    }

    @Test
    void firstWritesRacingToCreateTheChromaTenantAndDatabasesAllSucceed() throws Exception {
        // a Chroma tenant nobody created yet: every writer finds it missing and creates it, as do writers of one
        // Caravan tenant with its database (two hub threads, or two replicas, with the first documents)
        ChromaSettings fresh = new ChromaSettings(url, "caravan-race-" + fresh("t").value(), "chunks",
                Duration.ofSeconds(10));
        TenantVectorStore racing = VectorConfiguration.chroma(fresh);
        List<TenantId> tenants = List.of(fresh("race-a"), fresh("race-b"), fresh("race-c"), fresh("race-d"));
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                TenantId tenant = tenants.get(i % tenants.size());
                String documentId = "d" + i;
                writes.add(pool.submit(() -> {
                    start.await();
                    racing.replaceDocument(tenant, documentId, List.of(chunk(documentId, 0, "text " + documentId, X)));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> write : writes) {
                write.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (TenantId tenant : tenants) {
            assertThat(racing.countChunks(tenant)).as(tenant.value()).isEqualTo(writers / tenants.size());
        }
    }

    // ---- raw Chroma access -------------------------------------------------------------------------------

    private static Clock clockAt(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    private String databasePath(TenantId tenant) {
        return "/api/v2/tenants/" + CHROMA_TENANT + "/databases/" + ChromaVectorStore.databaseOf(tenant);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private int status(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private void post(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    }
}
