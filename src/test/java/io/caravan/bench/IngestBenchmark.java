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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.FileSystemUtils;

/**
 * The ingestion benchmark: not part of the test suite (the name matches no surefire or failsafe pattern); run
 * it with {@code scripts/bench-ingest.sh}. It starts the real hub in this JVM (embedded mode, temp data dir)
 * and compares, in one run:
 * <ul>
 *   <li><b>raw</b>: the hub's own {@link Chunker} output embedded by the hub's {@link TextEmbedder}, one
 *   document's chunks per {@code embedAll} call, from as many caller threads as the index route has workers:
 *   the model alone, no I/O.</li>
 *   <li><b>pipeline</b>: documents POSTed to {@code /api/v1/documents} by a few HTTP clients, from the first
 *   request until the last document is {@code indexed} (its {@code indexed_at}): HTTP intake, fair queue,
 *   fetch, parse, idempotence, throttle, chunk, token budget, embed, fsync'd vector append, status.</li>
 * </ul>
 * The machine is shared and its load changes by the minute, so the corpus is ingested in rounds, each between
 * two raw measurements, and each round's ratio uses the raw figures taken just before and after it. Process
 * CPU time per chunk is reported too: it hardly depends on what else runs on the machine.
 */
class IngestBenchmark {

    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    private static final int SUBMITTERS = 4;
    private static final double TARGET = 0.85;
    private static final int WARMUP_BLOCK = 1000;
    private static final int MAX_WARMUP = Integer.parseInt(setting("bench.max-warmup", "BENCH_MAX_WARMUP", "20000"));

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void ingest() throws Exception {
        int documents = Integer.parseInt(setting("bench.docs", "BENCH_DOCS", "2000"));
        int rounds = Integer.parseInt(setting("bench.rounds", "BENCH_ROUNDS", "4"));
        // the least warm-up: the hub's per-document code reaches C2 after ~5,000 documents (see JitWatch)
        int warmup = Integer.parseInt(setting("bench.warmup", "BENCH_WARMUP", "6000"));
        Path dataDir = Files.createTempDirectory("caravan-bench-");
        ConfigurableApplicationContext hub = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--caravan.data-dir=" + dataDir, "--server.port=0", "--caravan.admin-token=" + ADMIN_TOKEN,
                "--camel.springboot.main-run-controller=false");
        try {
            String table = run(hub, documents, rounds, warmup).table();
            System.out.println(table);
            Path out = Path.of("target", "bench", "ingest.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
        } finally {
            hub.close();
            FileSystemUtils.deleteRecursively(dataDir);
        }
    }

    private Report run(ConfigurableApplicationContext hub, int count, int rounds, int warmup) throws Exception {
        int port = hub.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        // the index route's concurrent consumers, as configured (CARAVAN_INGEST_WORKERS)
        int workers = hub.getBean(CamelContext.class).getEndpoints().stream()
                .filter(SedaEndpoint.class::isInstance).map(SedaEndpoint.class::cast)
                .filter(endpoint -> endpoint.getEndpointUri().startsWith("seda://index-document"))
                .mapToInt(SedaEndpoint::getConcurrentConsumers).findFirst().orElseThrow();
        HubClient client = new HubClient("http://127.0.0.1:" + port);
        Chunker chunker = hub.getBean(Chunker.class);
        TextEmbedder embedder = hub.getBean(TextEmbedder.class);
        JdbcClient jdbc = hub.getBean(JdbcClient.class);
        MeterRegistry meters = hub.getBean(MeterRegistry.class);
        int maxChunks = hub.getBean(IngestSettings.class).maxChunksPerDocument();

        List<Corpus.Doc> corpus = new Corpus(42).documents(count);
        long chunkStart = System.nanoTime();
        List<List<String>> chunks = corpus.stream()
                .map(doc -> chunker.chunk(TextNormaliser.normalise(doc.text()), maxChunks)).toList();
        Duration chunking = Duration.ofNanos(System.nanoTime() - chunkStart);
        int totalChunks = chunks.stream().mapToInt(List::size).sum();

        // warm up the model, and the whole pipeline (JIT, pools, caches) on a tenant of its own
        raw(embedder, chunks.subList(0, Math.min(100, chunks.size())), workers);
        // (at least `warmup` documents, then blocks until the JIT is quiet: see JitWatch)
        String warmupKey = tenant(client, "bench-warmup");
        int warmed = 0;
        double jitShare = 1;
        for (int block = 0; warmed < MAX_WARMUP && (warmed < warmup || jitShare >= JitWatch.QUIET); block++) {
            JitWatch watch = JitWatch.start();
            ingest(client, jdbc, meters, "bench-warmup", warmupKey, new Corpus(7 + block).documents(WARMUP_BLOCK));
            warmed += WARMUP_BLOCK;
            jitShare = watch.share();
            System.out.printf("warm-up: %d documents, the JIT compiling %.1f%% of the last block's time%n", warmed,
                    100 * jitShare);
        }

        String key = tenant(client, "bench");
        List<Measure> raws = new ArrayList<>();
        List<Pipeline> pipelines = new ArrayList<>();
        int perRound = (count + rounds - 1) / rounds;
        for (int from = 0; from < count; from += perRound) {
            int to = Math.min(count, from + perRound);
            List<List<String>> batchChunks = chunks.subList(from, to);
            if (raws.isEmpty()) {
                raws.add(raw(embedder, batchChunks, workers));
            }
            pipelines.add(ingest(client, jdbc, meters, "bench", key, corpus.subList(from, to)));
            raws.add(raw(embedder, batchChunks, workers));
            System.out.printf("round %d: raw %s%n  pipeline %s%n", pipelines.size(), raws.get(raws.size() - 2),
                    pipelines.get(pipelines.size() - 1).measure());
        }

        int indexedChunks = jdbc.sql("SELECT SUM(chunks) FROM documents WHERE tenant_id = 'bench'")
                .query(Integer.class).single();
        assertThat(indexedChunks).as("chunks the pipeline indexed vs the chunker's count").isEqualTo(totalChunks);
        double averageChars = corpus.stream().mapToInt(doc -> doc.text().length()).average().orElse(0);
        return new Report(LocalDate.now(), Runtime.getRuntime().availableProcessors(), workers,
                hub.getBean(EmbeddingSettings.class).effectiveThreads(), count, averageChars, totalChunks, chunking,
                raws, pipelines, stageMeans(hub.getBean(MeterRegistry.class), "bench"), warmed, jitShare);
    }

    /** Chunks embedded, wall and process CPU time of one measurement. */
    record Measure(int chunks, long wallNanos, long cpuNanos, Map<String, Long> cpuByThreads, double busy) {
        double chunksPerSecond() {
            return chunks / (wallNanos / 1e9);
        }
    }

    /** One pipeline round: its measure and each document's time from accepted to indexed. */
    record Pipeline(Measure measure, Duration submit, List<Duration> latencies) {
    }

    /** The model alone: {@code callers} threads, each embedding one document's chunks at a time. */
    private static Measure raw(TextEmbedder embedder, List<List<String>> documents, int callers) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(callers, named("bench-raw-"));
        try (BusySampler sampler = new BusySampler("embedding-")) {
            Map<Long, ThreadCpu> threads = threadCpu();
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            runInParallel(pool, callers, () -> {
                for (int i = next.getAndIncrement(); i < documents.size(); i = next.getAndIncrement()) {
                    embedder.embedAll(documents.get(i));
                }
                return null;
            });
            long wall = System.nanoTime() - start;
            return new Measure(documents.stream().mapToInt(List::size).sum(), wall, processCpuNanos() - cpu,
                    cpuSince(threads, cpu), sampler.busyShare());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Submits the documents over HTTP and waits until all are indexed; figures from the registry's rows. */
    private Pipeline ingest(HubClient client, JdbcClient jdbc, MeterRegistry meters, String tenant, String key,
                            List<Corpus.Doc> docs) throws Exception {
        int before = indexed(meters, jdbc, tenant);
        AtomicInteger next = new AtomicInteger();
        // the request bodies are built before the clock starts: the client's JSON is not the hub's work
        List<String> bodies = new ArrayList<>(docs.size());
        for (Corpus.Doc doc : docs) {
            bodies.add(json.writeValueAsString(Map.of("title", doc.title(), "text", doc.text())));
        }
        ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS, named("bench-client-"));
        try {
            return ingest(jdbc, meters, tenant, docs, before, submitters, () -> {
                for (int i = next.getAndIncrement(); i < docs.size(); i = next.getAndIncrement()) {
                    HubClient.Response added = client.postJson("/api/v1/documents", key, bodies.get(i));
                    if (added.status() != 202) {
                        throw new IllegalStateException("document " + i + " not accepted: " + added.text());
                    }
                }
                return null;
            });
        } finally {
            submitters.shutdownNow();
        }
    }

    private Pipeline ingest(JdbcClient jdbc, MeterRegistry meters, String tenant, List<Corpus.Doc> docs, int before,
                            ExecutorService submitters, Callable<Void> submit) throws Exception {
        BusySampler sampler = new BusySampler("embedding-");
        Map<Long, ThreadCpu> threads = threadCpu();
        long cpu = processCpuNanos();
        Instant start = Instant.now();
        long startNanos = System.nanoTime();
        runInParallel(submitters, SUBMITTERS, submit);
        Duration submitted = Duration.ofNanos(System.nanoTime() - startNanos);
        // no sleeping: poll the hub's counters until every document is indexed, failing fast on any other outcome
        await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> indexed(meters, jdbc, tenant) == before + docs.size());
        sampler.close();
        long cpuUsed = processCpuNanos() - cpu;
        Map<String, Long> cpuByThreads = cpuSince(threads, cpu);
        record Row(OffsetDateTime created, OffsetDateTime indexed, int chunks) {
        }
        List<Row> rows = jdbc.sql("SELECT created_at, indexed_at, chunks FROM documents WHERE tenant_id = :t "
                        + "AND created_at >= :start")
                .param("t", tenant).param("start", start.atOffset(java.time.ZoneOffset.UTC))
                .query((rs, i) -> new Row(rs.getObject(1, OffsetDateTime.class), rs.getObject(2, OffsetDateTime.class),
                        rs.getInt(3)))
                .list();
        assertThat(rows).hasSize(docs.size());
        Instant last = rows.stream().map(row -> row.indexed().toInstant()).max(Instant::compareTo).orElseThrow();
        long wall = Duration.between(start, last).toNanos();
        return new Pipeline(new Measure(rows.stream().mapToInt(Row::chunks).sum(), wall, cpuUsed, cpuByThreads,
                sampler.busyShare()),
                submitted,
                rows.stream().map(row -> Duration.between(row.created(), row.indexed())).toList());
    }

    /**
     * The tenant's documents indexed so far, from the hub's {@code rag_ingest_documents_total} (counted once the
     * document's indexed status has committed): reading a counter costs the hub nothing, where a query every 50 ms
     * took CPU from the pipeline being measured. Fails fast on any other outcome.
     */
    private static int indexed(MeterRegistry meters, JdbcClient jdbc, String tenant) {
        Map<String, Double> byOutcome = new TreeMap<>();
        for (Counter counter : meters.find(MetricNames.INGEST_DOCUMENTS).tag(MetricNames.TENANT_TAG, tenant).counters()) {
            byOutcome.merge(counter.getId().getTag("outcome"), counter.count(), Double::sum);
        }
        if (byOutcome.keySet().stream().anyMatch(outcome -> !outcome.equals("indexed"))) {
            List<String> reasons = jdbc.sql("SELECT stage || ': ' || error FROM quarantine WHERE tenant_id = :t")
                    .param("t", tenant).query(String.class).list();
            throw new IllegalStateException("documents not indexed: " + byOutcome + " " + reasons);
        }
        return (int) Math.round(byOutcome.getOrDefault("indexed", 0.0));
    }

    /** Mean time per document in each stage, from the hub's own stage timers. */
    private static Map<String, Duration> stageMeans(MeterRegistry registry, String tenant) {
        Map<String, Duration> means = new TreeMap<>();
        for (Timer timer : registry.find(MetricNames.INGEST_STAGE).tag(MetricNames.TENANT_TAG, tenant)
                .tag("outcome", "ok").timers()) {
            means.put(timer.getId().getTag("stage"), Duration.ofNanos((long) timer.mean(TimeUnit.NANOSECONDS)));
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

    /** Runs {@code work} on every thread of {@code pool} and waits for all. */
    private static void runInParallel(ExecutorService pool, int threads, Callable<Void> work) throws Exception {
        List<Future<Void>> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            running.add(pool.submit(work));
        }
        for (Future<Void> each : running) {
            each.get();
        }
    }

    /** Key of the JIT compilers' total time in a {@link #threadCpu()} snapshot (no thread has this id). */
    private static final long COMPILER = -1;

    /** CPU time of every live thread, by thread id, with the thread's group for the report. */
    private static Map<Long, ThreadCpu> threadCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, ThreadCpu> cpu = new java.util.HashMap<>();
        cpu.put(COMPILER, new ThreadCpu("JIT compiler", TimeUnit.MILLISECONDS.toNanos(
                ManagementFactory.getCompilationMXBean().getTotalCompilationTime())));
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long nanos = threads.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    cpu.put(info.getThreadId(), new ThreadCpu(group(info.getThreadName()), nanos));
                }
            }
        }
        return cpu;
    }

    private record ThreadCpu(String group, long nanos) {
    }

    private static String group(String threadName) {
        if (threadName.startsWith("embedding-") || threadName.startsWith("bench-raw-")) {
            return "embedding";
        }
        if (threadName.contains("seda://index-document")) {
            return "index workers";
        }
        if (threadName.startsWith("http-nio-")) {
            return "HTTP server";
        }
        if (threadName.startsWith("HttpClient-") || threadName.startsWith("bench-client-")) {
            return "benchmark client";
        }
        return "other threads";
    }

    /** CPU used by each thread group since {@code before}; what no Java thread accounts for is the JVM's own. */
    private static Map<String, Long> cpuSince(Map<Long, ThreadCpu> before, long processBefore) {
        Map<String, Long> used = new TreeMap<>();
        long threads = 0;
        for (Map.Entry<Long, ThreadCpu> now : threadCpu().entrySet()) {
            if (now.getKey() == COMPILER) {
                continue;
            }
            ThreadCpu then = before.get(now.getKey());
            long delta = now.getValue().nanos() - (then == null ? 0 : then.nanos());
            used.merge(now.getValue().group(), delta, Long::sum);
            threads += delta;
        }
        long jvm = Math.max(0, processCpuNanos() - processBefore - threads);
        // compile time is (about) compiler threads' CPU; the rest is GC and threads that ended meanwhile
        long compiling = Math.min(jvm, TimeUnit.MILLISECONDS.toNanos(
                ManagementFactory.getCompilationMXBean().getTotalCompilationTime()) - before.get(COMPILER).nanos());
        used.put("JIT compiler", compiling);
        used.put("GC and ended threads", jvm - compiling);
        return used;
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> new Thread(task, prefix + count.incrementAndGet());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String setting(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    record Report(LocalDate date, int cores, int workers, int embeddingThreads, int documents, double averageChars,
                  int chunks, Duration chunking, List<Measure> raws, List<Pipeline> rounds,
                  Map<String, Duration> stages, int warmup, double warmupJitShare) {

        double raw() {
            return total(raws).chunksPerSecond();
        }

        double pipeline() {
            return total(rounds.stream().map(Pipeline::measure).toList()).chunksPerSecond();
        }

        /** Each round against the mean of the raw figures taken just before and just after it. */
        List<Double> roundRatios() {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < rounds.size(); i++) {
                double around = (raws.get(i).chunksPerSecond() + raws.get(i + 1).chunksPerSecond()) / 2;
                ratios.add(rounds.get(i).measure().chunksPerSecond() / around);
            }
            return ratios;
        }

        double ratio() {
            List<Double> sorted = roundRatios().stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        private static Measure total(List<Measure> measures) {
            Map<String, Long> byThreads = new TreeMap<>();
            measures.forEach(m -> m.cpuByThreads().forEach((group, nanos) -> byThreads.merge(group, nanos, Long::sum)));
            long wall = measures.stream().mapToLong(Measure::wallNanos).sum();
            double busy = measures.stream().mapToDouble(m -> m.busy() * m.wallNanos()).sum() / wall;
            return new Measure(measures.stream().mapToInt(Measure::chunks).sum(), wall,
                    measures.stream().mapToLong(Measure::cpuNanos).sum(), byThreads, busy);
        }

        private static String cpuByThreads(Measure measure) {
            StringBuilder line = new StringBuilder();
            measure.cpuByThreads().entrySet().stream().filter(e -> e.getValue() / 1e6 / measure.chunks() >= 0.05)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> line.append(line.isEmpty() ? "" : ", ").append(String.format("%s %.1f", e.getKey(),
                            e.getValue() / 1e6 / measure.chunks())));
            return line.toString();
        }

        /**
         * The figure that depends least on the host: CPU per chunk spent outside the model, beside what the target
         * leaves for it on this host (the ratio is the model's share of the CPU while the model is never idle).
         */
        private static String outsideTheModel(Measure pipeline) {
            double model = pipeline.cpuByThreads().getOrDefault("embedding", 0L) / 1e6 / pipeline.chunks();
            return String.format("| pipeline CPU ms per chunk outside the model | %.1f (a ratio of %.2f leaves %.1f "
                    + "at this host's %.1f ms of model CPU per chunk) |", cpuMsPerChunk(pipeline) - model, TARGET,
                    model * (1 / TARGET - 1), model);
        }

        private static double cpuMsPerChunk(Measure measure) {
            return measure.cpuNanos() / 1e6 / measure.chunks();
        }

        String table() {
            Measure raw = total(raws);
            Measure pipeline = total(rounds.stream().map(Pipeline::measure).toList());
            List<Duration> latencies = rounds.stream().flatMap(r -> r.latencies().stream()).sorted().toList();
            StringBuilder stageLine = new StringBuilder();
            stages.forEach((stage, mean) -> stageLine.append(String.format(" %s %.1f", stage, mean.toNanos() / 1e6)));
            StringBuilder ratios = new StringBuilder();
            roundRatios().forEach(r -> ratios.append(String.format(" %.2f", r)));
            StringBuilder rawRates = new StringBuilder();
            raws.forEach(m -> rawRates.append(String.format(" %.0f", m.chunksPerSecond())));
            return String.join("\n",
                    "",
                    String.format("Caravan ingestion benchmark, %s: %d cores (%s), %d index workers, %d embedding "
                            + "threads", date, cores, Host.processor(), workers, embeddingThreads),
                    "",
                    "| measure | value |",
                    "|---|---|",
                    String.format("| documents | %,d in %d rounds (%,.0f characters on average) |", documents,
                            rounds.size(), averageChars),
                    String.format("| warm-up | %,d documents, until the JIT compiled for less than %.0f%% of the "
                            + "time (%.1f%% in the last block of %,d) |", warmup, 100 * JitWatch.QUIET,
                            100 * warmupJitShare, WARMUP_BLOCK),
                    String.format("| chunks | %,d (%.1f per document; chunking alone %.1f s) |", chunks,
                            (double) chunks / documents, chunking.toMillis() / 1e3),
                    String.format("| raw model, chunks/s | %.1f (before, between and after the rounds:%s) |", raw(),
                            rawRates),
                    String.format("| pipeline, chunks/s | %.1f (%.1f s in all; HTTP intake %.1f s of it) |", pipeline(),
                            pipeline.wallNanos() / 1e9,
                            rounds.stream().mapToLong(r -> r.submit().toNanos()).sum() / 1e9),
                    String.format("| **ratio pipeline/raw** | **%.2f** (median of the rounds:%s; target %.2f: %s) |",
                            ratio(), ratios, TARGET, ratio() >= TARGET ? "met" : "NOT met"),
                    String.format("| process CPU per chunk | raw %.1f ms, pipeline %.1f ms (raw/pipeline %.2f) |",
                            cpuMsPerChunk(raw), cpuMsPerChunk(pipeline), cpuMsPerChunk(raw) / cpuMsPerChunk(pipeline)),
                    String.format("| embedding threads busy | raw %.0f%%, pipeline %.0f%% (runnable, not waiting "
                            + "for work) |", raw.busy() * 100, pipeline.busy() * 100),
                    "| pipeline CPU ms per chunk, by threads | " + cpuByThreads(pipeline) + " |",
                    outsideTheModel(pipeline),
                    "| raw CPU ms per chunk, by threads | " + cpuByThreads(raw) + " |",
                    String.format("| document latency, accepted to indexed | p50 %.1f s, p95 %.1f s (a round is "
                                    + "offered at once) |", latencies.get(latencies.size() / 2).toMillis() / 1e3,
                            latencies.get((int) (latencies.size() * 0.95)).toMillis() / 1e3),
                    "| mean ms per document in each stage |" + stageLine + " |",
                    "");
        }
    }
}
