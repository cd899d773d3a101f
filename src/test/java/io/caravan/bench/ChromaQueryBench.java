package io.caravan.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.CaravanApplication;
import io.caravan.embedding.TextEmbedder;
import io.caravan.support.ChromaTestServer;
import io.caravan.support.HubClient;
import io.caravan.tenancy.TenantId;
import io.caravan.vector.TenantVectorStore;
import io.caravan.vector.VectorChunk;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Query latency through the hub on Chroma vs a direct Chroma query with the same embedding. Not part of the test
 * suite (the name matches no surefire pattern); run it with {@code scripts/bench-query.sh}.
 *
 * <p>BENCH_TENANTS tenants (10) each get BENCH_CHUNKS chunks (2,000): ten real documents ingested through the
 * hub's HTTP API, filled up through the hub's store with generated chunks (see {@link #load}). Then, per query,
 * in alternation:
 * <ul>
 *   <li><b>hub</b>: {@code POST /api/v1/query} over real HTTP (tenant guard, rate limit, answer cache — each
 *   question is new, so it always misses —, question embedding, Chroma search through the tenant-scoped store,
 *   isolation re-check, registry filter, extractive answer, JSON);</li>
 *   <li><b>direct</b>: Chroma's {@code /query} on the tenant's collection with the question's embedding
 *   computed beforehand by the same embedder, the same topK and the same {@code include} as the store asks.</li>
 * </ul>
 * The question embedding alone is timed too, as it is the bulk of what the hub adds.
 */
class ChromaQueryBench {

    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    private static final String CHROMA_TENANT = "caravan-bench";
    private static final int TOP_K = 5;
    private static final double TARGET = 1.2;
    private static final int DIMENSIONS = 384; // all-MiniLM-L6-v2
    private static final int WARMUP_BLOCK = 500;
    private static final int MAX_WARMUP = Integer.parseInt(setting("bench.max-warmup", "BENCH_MAX_WARMUP", "20000"));

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void query() throws Exception {
        int tenants = Integer.parseInt(setting("bench.tenants", "BENCH_TENANTS", "10"));
        int chunksPerTenant = Integer.parseInt(setting("bench.chunks", "BENCH_CHUNKS", "2000"));
        int queries = Integer.parseInt(setting("bench.queries", "BENCH_QUERIES", "1000"));
        // the least warm-up: the hub's per-request code reaches C2 after ~5,000 requests (see JitWatch)
        int warmup = Integer.parseInt(setting("bench.query-warmup", "BENCH_QUERY_WARMUP", "6000"));
        String chroma = ChromaTestServer.url();
        Path dataDir = Files.createTempDirectory("caravan-bench-query-");
        ConfigurableApplicationContext hub = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--caravan.data-dir=" + dataDir, "--server.port=0", "--caravan.admin-token=" + ADMIN_TOKEN,
                "--camel.springboot.main-run-controller=false", "--caravan.vector.store=chroma",
                "--caravan.chroma.url=" + chroma, "--caravan.chroma.tenant=" + CHROMA_TENANT,
                "--caravan.cache.max-entries=0", "--caravan.ingest.documents-per-second=1000");
        try {
            String base = "http://127.0.0.1:" + hub.getEnvironment().getProperty("local.server.port");
            HubClient client = new HubClient(base);
            long loadStart = System.nanoTime();
            List<Tenant> loaded = load(hub, client, tenants, chunksPerTenant);
            Duration loading = Duration.ofNanos(System.nanoTime() - loadStart);
            String table = measure(hub, base, loaded, queries, warmup, loading);
            System.out.println(table);
            Path out = Path.of("target", "bench", "query.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
        } finally {
            hub.close();
        }
    }

    private record Tenant(String id, String key, String collectionUrl, int chunks) {
    }

    /**
     * Creates the tenants, ingests a few real documents per tenant through the API (so the registry knows them as
     * indexed), then fills those documents up to ~chunksPerTenant chunks through the hub's own store bean:
     * generated sentences with random unit vectors (embedding 20,000 chunks on a shared 2-core machine would take
     * the better part of an hour and does not change what a query costs).
     */
    private List<Tenant> load(ConfigurableApplicationContext hub, HubClient client, int tenants, int chunksPerTenant)
            throws Exception {
        int docsPerTenant = 10;
        TenantVectorStore store = hub.getBean(TenantVectorStore.class);
        List<Corpus.Doc> corpus = new Corpus(42).documents(docsPerTenant * tenants);
        Random random = new Random(11);
        List<Tenant> result = new ArrayList<>();
        for (int t = 0; t < tenants; t++) {
            String id = "bench-" + t + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
            assertThat(client.postJson("/admin/v1/tenants", ADMIN_TOKEN,
                    "{\"id\":\"" + id + "\",\"displayName\":\"bench\"}").status()).isEqualTo(201);
            String key = client.postJson("/admin/v1/tenants/" + id + "/keys", ADMIN_TOKEN, "{\"name\":\"bench\"}")
                    .field("apiKey");
            List<String> documentIds = new ArrayList<>();
            for (int d = 0; d < docsPerTenant; d++) {
                Corpus.Doc doc = corpus.get(t * docsPerTenant + d);
                HubClient.Response added = client.postJson("/api/v1/documents", key,
                        json.writeValueAsString(Map.of("title", doc.title(), "text", doc.text())));
                assertThat(added.status()).as(added.text()).isEqualTo(202);
                documentIds.add(added.field("documentId"));
            }
            for (String documentId : documentIds) {
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                        "indexed".equals(client.get("/api/v1/documents/" + documentId, key).field("status")));
            }
            TenantId tenant = TenantId.of(id);
            int perDocument = (chunksPerTenant + docsPerTenant - 1) / docsPerTenant;
            for (int d = 0; d < docsPerTenant; d++) {
                String documentId = documentIds.get(d);
                String[] sentences = corpus.get(t * docsPerTenant + d).text().split("(?<=\\.) ");
                List<VectorChunk> chunks = new ArrayList<>(perDocument);
                for (int c = 0; c < perDocument; c++) {
                    String text = sentences[c % sentences.length] + " " + sentences[(c * 7 + 3) % sentences.length];
                    chunks.add(new VectorChunk(documentId + "-" + c, documentId, c, "Bench " + documentId, "upload",
                            null, text, randomUnit(random, DIMENSIONS)));
                }
                store.replaceDocument(tenant, documentId, chunks);
            }
            String prefix = ChromaTestServer.url() + "/api/v2/tenants/" + CHROMA_TENANT + "/databases/caravan-" + id
                    + "/collections/";
            String collectionId = getJson(prefix + "chunks").get("id").asText();
            int count = getJson(prefix + collectionId + "/count").asInt();
            result.add(new Tenant(id, key, prefix + collectionId, count));
        }
        return result;
    }

    private static float[] randomUnit(Random random, int dimensions) {
        float[] vector = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) random.nextGaussian();
            norm += vector[i] * vector[i];
        }
        for (int i = 0; i < dimensions; i++) {
            vector[i] /= (float) Math.sqrt(norm);
        }
        return vector;
    }

    private String measure(ConfigurableApplicationContext hub, String base, List<Tenant> tenants, int queries,
                           int warmup, Duration loading) throws Exception {
        TextEmbedder embedder = hub.getBean(TextEmbedder.class);
        Random random = new Random(7);
        long[] hubNanos = new long[queries];
        long[] directNanos = new long[queries];
        long[] embedNanos = new long[queries];
        long[] storeNanos = new long[queries];
        long[] floorNanos = new long[queries];
        TenantVectorStore store = hub.getBean(TenantVectorStore.class);
        io.micrometer.core.instrument.MeterRegistry meters = hub.getBean(io.micrometer.core.instrument.MeterRegistry.class);
        // warm up until the JIT is quiet (at least `warmup` queries, at most MAX_WARMUP), then measure
        int asked = 0;
        int warmed = 0;
        double lastShare = 1;
        while (warmed < MAX_WARMUP && (warmed < warmup || lastShare >= JitWatch.QUIET)) {
            JitWatch block = JitWatch.start();
            for (int j = 0; j < WARMUP_BLOCK; j++) {
                query(embedder, store, base, tenants.get(asked % tenants.size()), random, asked++);
            }
            warmed += WARMUP_BLOCK;
            lastShare = block.share();
            System.out.printf("warm-up: %d queries, the JIT compiling %.1f%% of the last block's time%n", warmed,
                    100 * lastShare);
        }
        double[] serverBefore = timerTotals(meters.find("http.server.requests").tag("status", "200"));
        double[] routeBefore = timerTotals(meters.find("rag.query.latency"));
        JitWatch measured = JitWatch.start();
        for (int i = 0; i < queries; i++) {
            long[] took = query(embedder, store, base, tenants.get(asked % tenants.size()), random, asked++);
            hubNanos[i] = took[0];
            directNanos[i] = took[1];
            embedNanos[i] = took[2];
            storeNanos[i] = took[3];
            floorNanos[i] = took[4];
        }
        double jitShare = measured.share();
        long jitMillis = measured.compileMillis();
        double[] serverAfter = timerTotals(meters.find("http.server.requests").tag("status", "200"));
        double[] routeAfter = timerTotals(meters.find("rag.query.latency"));
        long totalChunks = tenants.stream().mapToLong(Tenant::chunks).sum();
        StringBuilder table = new StringBuilder();
        table.append(String.format("Query benchmark: %d tenants, %d chunks in Chroma (%s), %d queries (+%d warm-up), "
                        + "topK %d, loaded in %ds%n", tenants.size(), totalChunks,
                tenants.stream().map(t -> Integer.toString(t.chunks())).toList(), queries, warmed, TOP_K,
                loading.toSeconds()));
        table.append(String.format("JIT compiling: %.1f%% of the wall time in the last warm-up block, %.1f%% (%d ms) "
                + "while measuring (warm-up ends below %.0f%% after at least %d queries, or at %d)%n", 100 * lastShare,
                100 * jitShare, jitMillis, 100 * JitWatch.QUIET, warmup, MAX_WARMUP));
        table.append(String.format("%-44s %9s %9s %9s%n", "", "p50 ms", "p99 ms", "mean ms"));
        row(table, "hub  POST /api/v1/query (HTTP, extractive)", hubNanos);
        row(table, "direct Chroma /query (same embedding)", directNanos);
        row(table, "question embedding alone (in the hub's JVM)", embedNanos);
        row(table, "store search alone (in the hub's JVM)   ", storeNanos);
        row(table, "hub HTTP floor (a query refused: topK 0)", floorNanos);
        // the hub must embed the question, the direct query gets the vector for free: besides the plain ratio,
        // the hub is compared with the same work done by hand (embedding + direct query, paired per question) and,
        // equivalently, the hub minus its question's embedding with the direct query alone
        long[] embedThenDirect = new long[queries];
        long[] withoutEmbedding = new long[queries];
        for (int i = 0; i < queries; i++) {
            embedThenDirect[i] = embedNanos[i] + directNanos[i];
            withoutEmbedding[i] = hubNanos[i] - embedNanos[i];
        }
        row(table, "question embedding + direct Chroma (paired)", embedThenDirect);
        row(table, "hub minus the question's embedding", withoutEmbedding);
        table.append(String.format("hub / direct (plain):                          p50 %.2fx, p99 %.2fx%n",
                percentile(hubNanos, 50) / percentile(directNanos, 50),
                percentile(hubNanos, 99) / percentile(directNanos, 99)));
        table.append(String.format("hub / (embedding + direct):                    p50 %.2fx, p99 %.2fx (target <= %.1fx)%n",
                percentile(hubNanos, 50) / percentile(embedThenDirect, 50),
                percentile(hubNanos, 99) / percentile(embedThenDirect, 99), TARGET));
        table.append(String.format("(hub minus the question's embedding) / direct: p50 %.2fx, p99 %.2fx (target <= %.1fx)%n",
                percentile(withoutEmbedding, 50) / percentile(directNanos, 50),
                percentile(withoutEmbedding, 99) / percentile(directNanos, 99), TARGET));
        // the figure that depends least on the host: the milliseconds the hub adds, beside what the target allows
        double added = (percentile(hubNanos, 50) - percentile(embedThenDirect, 50)) / 1e6;
        table.append(String.format("hub adds at p50:                               %.2f ms (%.1fx allows %.2f ms on this host)%n",
                added, TARGET, percentile(embedThenDirect, 50) * (TARGET - 1) / 1e6));
        // where the hub's time goes, as means over the measured queries: the server's request timer (filters,
        // Spring MVC, the route, writing the answer) and rag_query_latency_seconds (from the question's acceptance)
        table.append(String.format("hub means: server request timer %.2f ms (answered queries), rag_query_latency %.2f ms%n",
                (serverAfter[1] - serverBefore[1]) / (serverAfter[0] - serverBefore[0]),
                (routeAfter[1] - routeBefore[1]) / (routeAfter[0] - routeBefore[0])));
        table.append(String.format("machine: %d cores (%s), 1-minute load average %.1f at the end (shared with other work)%n",
                Runtime.getRuntime().availableProcessors(), Host.processor(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return table.toString();
    }

    /**
     * One round: the question embedded alone, the hub's query and the direct query (alternating which goes
     * first, so neither always runs on a warmer cache), the store's search alone and the HTTP floor. Returns
     * their nanoseconds in that order: hub, direct, embedding, store, floor.
     */
    private long[] query(TextEmbedder embedder, TenantVectorStore store, String base, Tenant tenant, Random random,
                         int n) throws Exception {
        // a question never asked before: the answer cache cannot answer it
        String question = "What did the team decide about the " + pick(random, ADJ) + " " + pick(random, NOUN)
                + " in note " + random.nextInt(100_000) + " (query " + n + ")?";
        long e0 = System.nanoTime();
        float[] vector = embedder.embed(question);
        long embed = System.nanoTime() - e0;
        byte[] direct = json.writeValueAsBytes(Map.of("query_embeddings", List.of(toList(vector)),
                "n_results", TOP_K, "include", List.of("metadatas", "documents", "distances")));
        byte[] asked = json.writeValueAsBytes(Map.of("question", question, "topK", TOP_K));
        long h;
        long d;
        if ((n & 1) == 0) {
            h = timeHub(base, tenant, asked);
            d = timeDirect(tenant, direct);
        } else {
            d = timeDirect(tenant, direct);
            h = timeHub(base, tenant, asked);
        }
        long s0 = System.nanoTime();
        store.search(TenantId.of(tenant.id()), vector, TOP_K);
        long searched = System.nanoTime() - s0;
        long floor = timeFloor(base, tenant);
        return new long[] {h, d, embed, searched, floor};
    }

    /** Count and total milliseconds over every timer of the name. */
    private static double[] timerTotals(io.micrometer.core.instrument.search.Search search) {
        double count = 0;
        double total = 0;
        for (io.micrometer.core.instrument.Timer timer : search.timers()) {
            count += timer.count();
            total += timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return new double[] {count, total};
    }

    private long timeHub(String base, Tenant tenant, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/query"))
                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - start;
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("cacheHit").asBoolean()).isFalse();
        return took;
    }

    /** The HTTP hop, authentication, the endpoint's checks and a problem+json answer: what every hub query costs. */
    private long timeFloor(String base, Tenant tenant) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/query"))
                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"floor\",\"topK\":0}")).build();
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - start;
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return took;
    }

    private long timeDirect(Tenant tenant, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(tenant.collectionUrl() + "/query"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode parsed = json.readTree(response.body());
        long took = System.nanoTime() - start;
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(parsed.get("ids").get(0).size()).isEqualTo(TOP_K);
        return took;
    }

    private JsonNode getJson(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static void row(StringBuilder table, String label, long[] nanos) {
        table.append(String.format("%-44s %9.2f %9.2f %9.2f%n", label, percentile(nanos, 50) / 1e6,
                percentile(nanos, 99) / 1e6, Arrays.stream(nanos).average().orElse(0) / 1e6));
    }

    private static double percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static List<Float> toList(float[] vector) {
        List<Float> list = new ArrayList<>(vector.length);
        for (float v : vector) {
            list.add(v);
        }
        return list;
    }

    private static final String[] ADJ = {"quarterly", "regional", "new", "internal", "annual", "shared"};
    private static final String[] NOUN = {"report", "budget", "contract", "warehouse", "supplier", "invoice"};

    private static String pick(Random random, String[] words) {
        return words[random.nextInt(words.length)];
    }

    private static String setting(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
