package io.caravan.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.CaravanApplication;
import io.caravan.embedding.EmbeddingSettings;
import io.caravan.embedding.TextEmbedder;
import io.caravan.ingest.Chunker;
import io.caravan.ingest.IngestSettings;
import io.caravan.ingest.TextNormaliser;
import io.caravan.observability.MetricNames;
import io.caravan.support.HubClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.FileSystemUtils;

/**
 * The ingestion benchmark: not part of the test suite (the name matches no surefire or failsafe pattern); run
 * it with {@code scripts/bench-ingest.sh}. It starts the real hub in this JVM (embedded mode, temp data dir)
 * and measures, in one run so the shared machine's noise hits both alike:
 * <ul>
 *   <li><b>raw</b>: the hub's own {@link Chunker} output embedded by the hub's {@link TextEmbedder}, one
 *   document's chunks per {@code embedAll} call, from as many caller threads as the index route has workers.
 *   Measured before and after the pipeline; their mean is the baseline.</li>
 *   <li><b>pipeline</b>: every document POSTed to {@code /api/v1/documents} by a few HTTP clients, from the first
 *   request until the last document is {@code indexed} (its {@code indexed_at}): intake, fair queue, fetch,
 *   parse, idempotence, throttle, chunk, token budget, embed, fsync'd vector append and status update.</li>
 * </ul>
 */
class IngestBenchmark {

    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    private static final int SUBMITTERS = 4;
    private static final int WARMUP_DOCS = 300;
    private static final double TARGET = 0.85;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void ingest() throws Exception {
        int documents = Integer.parseInt(setting("bench.docs", "BENCH_DOCS", "2000"));
        Path dataDir = Files.createTempDirectory("caravan-bench-");
        ConfigurableApplicationContext hub = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--caravan.data-dir=" + dataDir, "--server.port=0", "--caravan.admin-token=" + ADMIN_TOKEN,
                "--camel.springboot.main-run-controller=false");
        try {
            Report report = run(hub, documents);
            String table = report.table();
            System.out.println(table);
            Path out = Path.of("target", "bench", "ingest.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
        } finally {
            hub.close();
            FileSystemUtils.deleteRecursively(dataDir);
        }
    }

    private Report run(ConfigurableApplicationContext hub, int count) throws Exception {
        int port = hub.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        int workers = hub.getEnvironment().getProperty("CARAVAN_INGEST_WORKERS", Integer.class, 2);
        HubClient client = new HubClient("http://127.0.0.1:" + port);
        Chunker chunker = hub.getBean(Chunker.class);
        TextEmbedder embedder = hub.getBean(TextEmbedder.class);
        JdbcClient jdbc = hub.getBean(JdbcClient.class);
        int maxChunks = hub.getBean(IngestSettings.class).maxChunksPerDocument();

        List<Corpus.Doc> corpus = new Corpus(42).documents(count);
        long chunkStart = System.nanoTime();
        List<List<String>> chunks = corpus.stream()
                .map(doc -> chunker.chunk(TextNormaliser.normalise(doc.text()), maxChunks)).toList();
        Duration chunking = Duration.ofNanos(System.nanoTime() - chunkStart);
        int totalChunks = chunks.stream().mapToInt(List::size).sum();

        // warm up the model, and the whole pipeline on a tenant of its own
        rawChunksPerSecond(embedder, chunks.subList(0, Math.min(100, chunks.size())), workers);
        String warmupKey = tenant(client, "bench-warmup");
        ingest(client, jdbc, "bench-warmup", warmupKey, new Corpus(7).documents(WARMUP_DOCS));

        double rawBefore = rawChunksPerSecond(embedder, chunks, workers);
        String key = tenant(client, "bench");
        Pipeline pipeline = ingest(client, jdbc, "bench", key, corpus);
        double rawAfter = rawChunksPerSecond(embedder, chunks, workers);

        assertThat(pipeline.chunks()).as("chunks the pipeline indexed vs the chunker's count").isEqualTo(totalChunks);
        double averageChars = corpus.stream().mapToInt(doc -> doc.text().length()).average().orElse(0);
        return new Report(LocalDate.now(), Runtime.getRuntime().availableProcessors(), workers,
                hub.getBean(EmbeddingSettings.class).effectiveThreads(), count, averageChars, totalChunks,
                chunking, rawBefore, rawAfter, pipeline, stageMeans(hub.getBean(MeterRegistry.class), "bench"));
    }

    /** Chunks per second of the model alone: {@code callers} threads, each embedding one document at a time. */
    private static double rawChunksPerSecond(TextEmbedder embedder, List<List<String>> documents, int callers)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        runInParallel(callers, () -> {
            for (int i = next.getAndIncrement(); i < documents.size(); i = next.getAndIncrement()) {
                embedder.embedAll(documents.get(i));
            }
            return null;
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        return documents.stream().mapToInt(List::size).sum() / seconds;
    }

    /** Result of one pipeline run, read back from the registry. */
    record Pipeline(int chunks, Duration wall, Duration submit, Duration p50, Duration p95) {
        double chunksPerSecond() {
            return chunks / (wall.toNanos() / 1e9);
        }
    }

    private Pipeline ingest(HubClient client, JdbcClient jdbc, String tenant, String key, List<Corpus.Doc> docs)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        Instant start = Instant.now();
        long startNanos = System.nanoTime();
        runInParallel(SUBMITTERS, () -> {
            for (int i = next.getAndIncrement(); i < docs.size(); i = next.getAndIncrement()) {
                Corpus.Doc doc = docs.get(i);
                HubClient.Response added = client.postJson("/api/v1/documents", key,
                        json.writeValueAsString(Map.of("title", doc.title(), "text", doc.text())));
                if (added.status() != 202) {
                    throw new IllegalStateException("document " + i + " not accepted: " + added.text());
                }
            }
            return null;
        });
        Duration submit = Duration.ofNanos(System.nanoTime() - startNanos);
        // no sleeping: poll the registry until every document is indexed, failing fast on any other outcome
        await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> indexed(jdbc, tenant) == docs.size());
        OffsetDateTime last = jdbc.sql("SELECT MAX(indexed_at) FROM documents WHERE tenant_id = :t")
                .param("t", tenant).query(OffsetDateTime.class).single();
        int chunks = jdbc.sql("SELECT SUM(chunks) FROM documents WHERE tenant_id = :t")
                .param("t", tenant).query(Integer.class).single();
        List<Duration> latencies = jdbc.sql("SELECT created_at, indexed_at FROM documents WHERE tenant_id = :t")
                .param("t", tenant)
                .query((rs, row) -> Duration.between(rs.getObject(1, OffsetDateTime.class),
                        rs.getObject(2, OffsetDateTime.class)))
                .list().stream().sorted().toList();
        return new Pipeline(chunks, Duration.between(start, last.toInstant()), submit,
                latencies.get(latencies.size() / 2), latencies.get((int) (latencies.size() * 0.95)));
    }

    private static int indexed(JdbcClient jdbc, String tenant) {
        Map<String, Integer> byStatus = new TreeMap<>();
        jdbc.sql("SELECT status, COUNT(*) FROM documents WHERE tenant_id = :t GROUP BY status").param("t", tenant)
                .query(rs -> {
                    byStatus.put(rs.getString(1), rs.getInt(2));
                });
        int settledElsewhere = byStatus.entrySet().stream()
                .filter(e -> !e.getKey().equals("indexed") && !e.getKey().equals("queued"))
                .mapToInt(Map.Entry::getValue).sum();
        if (settledElsewhere > 0) {
            List<String> reasons = jdbc.sql("SELECT stage || ': ' || error FROM quarantine WHERE tenant_id = :t")
                    .param("t", tenant).query(String.class).list();
            throw new IllegalStateException("documents not indexed: " + byStatus + " " + reasons);
        }
        return byStatus.getOrDefault("indexed", 0);
    }

    /** Mean time per document in each stage, from the hub's own stage timers. */
    private static Map<String, Duration> stageMeans(MeterRegistry registry, String tenant) {
        Map<String, Duration> means = new TreeMap<>();
        for (Timer timer : registry.find(MetricNames.INGEST_STAGE).tag(MetricNames.TENANT_TAG, tenant)
                .tag("outcome", "ok").timers()) {
            means.put(timer.getId().getTag("stage"), Duration.ofNanos((long) timer.mean(
                    java.util.concurrent.TimeUnit.NANOSECONDS)));
        }
        return means;
    }

    /** Creates a tenant without an ingest rate cap (the default 50 documents/s would be the benchmark) and a key. */
    private String tenant(HubClient client, String id) {
        expect(client.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"id\":\"" + id + "\"}"), 201);
        expect(client.putJson("/admin/v1/tenants/" + id + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"ingestDocumentsPerSecond\":100000}}"), 200);
        return expect(client.postJson("/admin/v1/tenants/" + id + "/keys", ADMIN_TOKEN, "{\"name\":\"bench\"}"), 201)
                .field("apiKey");
    }

    private static HubClient.Response expect(HubClient.Response response, int status) {
        if (response.status() != status) {
            throw new IllegalStateException("expected " + status + ": " + response.status() + " " + response.text());
        }
        return response;
    }

    private static void runInParallel(int threads, Callable<Void> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> running = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                running.add(pool.submit(work));
            }
            for (Future<Void> each : running) {
                each.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String setting(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    record Report(LocalDate date, int cores, int workers, int embeddingThreads, int documents, double averageChars,
                  int chunks, Duration chunking, double rawBefore, double rawAfter, Pipeline pipeline,
                  Map<String, Duration> stages) {

        double raw() {
            return (rawBefore + rawAfter) / 2;
        }

        double ratio() {
            return pipeline.chunksPerSecond() / raw();
        }

        String table() {
            StringBuilder stageLine = new StringBuilder();
            stages.forEach((stage, mean) -> stageLine.append(String.format(" %s %.1f", stage, mean.toNanos() / 1e6)));
            return String.join("\n",
                    "",
                    String.format("Caravan ingestion benchmark, %s: %d cores, %d index workers, %d embedding threads",
                            date, cores, workers, embeddingThreads),
                    "| measure | value |",
                    "|---|---|",
                    String.format("| documents | %,d (%,.0f characters on average) |", documents, averageChars),
                    String.format("| chunks | %,d (%.1f per document; chunking alone %.1f s) |", chunks,
                            (double) chunks / documents, chunking.toMillis() / 1e3),
                    String.format("| raw model, chunks/s | %.1f (before %.1f, after %.1f) |", raw(), rawBefore, rawAfter),
                    String.format("| pipeline, chunks/s | %.1f (%.1f s wall; all accepted over HTTP in %.1f s) |",
                            pipeline.chunksPerSecond(), pipeline.wall().toMillis() / 1e3,
                            pipeline.submit().toMillis() / 1e3),
                    String.format("| ratio pipeline/raw | %.2f (target %.2f: %s) |", ratio(), TARGET,
                            ratio() >= TARGET ? "met" : "NOT met"),
                    String.format("| document latency, accept to indexed | p50 %.1f s, p95 %.1f s (all offered at once) |",
                            pipeline.p50().toMillis() / 1e3, pipeline.p95().toMillis() / 1e3),
                    "| mean ms per document and stage |" + stageLine + " |",
                    "");
        }
    }
}
