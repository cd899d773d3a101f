package io.caravan.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.support.ChromaTestServer;
import io.caravan.support.HubClient;
import io.caravan.support.Postgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Two real hub processes (target/caravan.jar, production profile) sharing one PostgreSQL database, one Chroma
 * server and one Kafka broker (KRaft, in this JVM, on loopback): the same document offered to both at once is
 * indexed once, a tenant's embedding budget holds across both, and killing one with SIGKILL in the middle of
 * 1,000 documents loses none and duplicates none. Each test has its own tenant; the kill comes last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasIT {

    private static final String ADMIN = "replicas-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short enough for a test, long enough for any one short document's indexing. */
    private static final String RESERVATION_LEASE = "15s";

    @TempDir
    static Path work;

    private EmbeddedKafkaKraftBroker kafka;
    private Postgres database;
    private final String topic = "caravan.index.replicas." + UUID.randomUUID();
    private final String group = "caravan-replicas-" + UUID.randomUUID();
    /** Tenant ids of this run: the Chroma server (and its tenants' databases) may outlive one run. */
    private final String run = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    private final String secretsKey = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
    private final Process[] hubs = new Process[2];
    private final int[] ports = new int[2];
    private final HubClient[] clients = new HubClient[2];
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startReplicas() throws Exception {
        kafka = new EmbeddedKafkaKraftBroker(1, 1);
        kafka.afterPropertiesSet();
        database = Postgres.create();
        ChromaTestServer.url();
        for (int i = 0; i < 2; i++) {
            ports[i] = freePort();
            clients[i] = new HubClient("http://127.0.0.1:" + ports[i]);
        }
        // both at once: the migrations and the index topic's creation race each other, as in a rollout
        hubs[0] = launch(0, "a");
        hubs[1] = launch(1, "b");
        awaitReady(0);
        awaitReady(1);
    }

    @AfterAll
    void stopReplicas() throws InterruptedException {
        for (Process hub : hubs) {
            if (hub != null && hub.isAlive()) {
                hub.destroy();
                if (!hub.waitFor(30, TimeUnit.SECONDS)) {
                    hub.destroyForcibly();
                }
            }
        }
        if (database != null) {
            database.close();
        }
        if (kafka != null) {
            kafka.destroy();
        }
    }

    @Test
    @Order(1)
    void theSameDocumentOfferedToBothReplicasAtOnceIsIndexedOnce() throws Exception {
        String twins = "twins-" + run;
        String key = tenant(twins, "{\"limits\":{\"ingestDocumentsPerSecond\":1000}}");
        int rounds = 12;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> originals = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                String body = "{\"title\":\"Twin " + round + "\",\"text\":\"Round " + round + ": the lighthouse "
                        + "keeper logs every passing ship, and this note about round " + round + " is sent twice.\"}";
                CountDownLatch start = new CountDownLatch(1);
                List<Future<HubClient.Response>> answers = new ArrayList<>();
                for (int replica = 0; replica < 2; replica++) {
                    HubClient client = clients[replica];
                    answers.add(pool.submit(() -> {
                        start.await();
                        return client.postJson("/api/v1/documents", key, body);
                    }));
                }
                start.countDown();
                HubClient.Response first = answers.get(0).get(30, TimeUnit.SECONDS);
                HubClient.Response second = answers.get(1).get(30, TimeUnit.SECONDS);
                assertThat(List.of(first.status(), second.status())).as("round %d", round)
                        .containsExactlyInAnyOrder(202, 200);
                assertThat(List.of(first.field("status"), second.field("status"))).as("round %d", round)
                        .containsExactlyInAnyOrder("queued", "duplicate");
                assertThat(first.field("documentId")).as("the duplicate points to the document, round %d", round)
                        .isEqualTo(second.field("documentId"));
                originals.add(first.field("documentId"));
            }
        } finally {
            pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(documents(key, "indexed")).as("by status: %s", statuses(key)).hasSize(rounds));
        Map<String, Integer> indexed = documents(key, "indexed");
        assertThat(indexed.keySet()).containsExactlyInAnyOrderElementsOf(originals);
        assertThat(statuses(key)).as("no other document was created").isEqualTo(Map.of("indexed", rounds));
        assertThat(chromaCount(twins)).as("each document's chunks once")
                .isEqualTo(indexed.values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    @Order(2)
    void anEmbeddingBudgetHoldsAcrossBothReplicas() throws Exception {
        String budgeted = "budgeted-" + run;
        String key = tenant(budgeted, "{\"limits\":{\"ingestDocumentsPerSecond\":1000}}");
        // one document's tokens, measured on the hub itself
        String sample = add(0, key, budgetText(-1));
        await().atMost(Duration.ofSeconds(60)).until(() -> "indexed".equals(status(0, key, sample)));
        long perDocument = budget(0, key).get("embeddingTokensThisMonth").asLong();
        assertThat(perDocument).isPositive();
        long limit = perDocument * 12 + perDocument / 2;
        assertThat(clients[0].putJson("/admin/v1/tenants/" + budgeted + "/config", ADMIN, "{\"budgets\":"
                + "{\"embeddingTokensPerMonth\":" + limit + "},\"limits\":{\"ingestDocumentsPerSecond\":1000}}")
                .status()).isEqualTo(200);
        // no wait for the replicas' config caches (1 s): the reservation reads the limit from the config row

        int documents = 40;
        AtomicLong highest = new AtomicLong();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<String> accepted = new ArrayList<>();
        try {
            // watch used + reserved on both replicas while the uploads and indexing run
            Future<?> watcher = pool.submit(() -> {
                while (done.get() == 0) {
                    for (int r = 0; r < 2; r++) {
                        JsonNode view = budget(r, key);
                        highest.accumulateAndGet(view.get("embeddingTokensThisMonth").asLong()
                                + view.get("embeddingTokensReserved").asLong(), Math::max);
                    }
                }
                return null;
            });
            List<Future<String>> uploads = new ArrayList<>();
            for (int i = 0; i < documents; i++) {
                int n = i;
                uploads.add(pool.submit(() -> add(n % 2, key, budgetText(n))));
            }
            for (Future<String> upload : uploads) {
                accepted.add(upload.get(60, TimeUnit.SECONDS));
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(statuses(key).getOrDefault("queued", 0)).as("by status: %s", statuses(key)).isZero());
            done.set(1);
            watcher.get(30, TimeUnit.SECONDS);
        } finally {
            done.set(1);
            pool.shutdownNow();
        }
        Map<String, Integer> indexed = documents(key, "indexed");
        Map<String, Integer> quarantined = documents(key, "quarantined");
        assertThat(indexed.size() + quarantined.size()).isEqualTo(documents + 1);
        assertThat(indexed.size()).as("what fits was indexed").isBetween(2, 13);
        assertThat(quarantined).as("what did not fit was quarantined").isNotEmpty();
        JsonNode finalBudget = budget(1, key);
        assertThat(finalBudget.get("embeddingTokensThisMonth").asLong()).isLessThanOrEqualTo(limit)
                .isGreaterThan(limit - 2 * perDocument);
        assertThat(finalBudget.get("embeddingTokensReserved").asLong()).isZero();
        assertThat(highest.get()).as("used + reserved, watched on both replicas").isLessThanOrEqualTo(limit);
        JsonNode items = clients[0].get("/api/v1/quarantine?limit=100", key).json().get("items");
        assertThat(items).hasSize(quarantined.size());
        items.forEach(item -> assertThat(item.get("reason").asText()).isEqualTo("budget_exceeded"));
        assertThat(chromaCount(budgeted)).isEqualTo(indexed.values().stream().mapToInt(Integer::intValue).sum());
        assertThat(accepted).doesNotHaveDuplicates();
    }

    @Test
    @Order(3)
    void killingOneReplicaInTheMiddleOfAThousandDocumentsLosesNoneAndDuplicatesNone() throws Exception {
        String bulk = "bulk-" + run;
        String key = tenant(bulk, "{\"limits\":{\"ingestDocumentsPerSecond\":1000}}");
        int documents = 1000;
        int killAfter = 400;
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger answered = new AtomicInteger();
        CountDownLatch killed = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        int indexedAtKill;
        try {
            List<Future<?>> uploads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                uploads.add(pool.submit(() -> {
                    for (int n = thread; n < documents; n += 4) {
                        String body = "{\"title\":\"Bulk " + n + "\",\"text\":\"Bulk document " + n + " tells "
                                + "of cargo " + n + " loaded at dawn and carried across the bay by barge " + n + ".\"}";
                        int replica = n % 2;
                        HubClient.Response response = offer(replica, key, body);
                        if (response == null || response.status() >= 500) {
                            // the replica is gone: the client tries the other; a document the dead replica
                            // recorded is answered as a duplicate pointing to it
                            response = offer(0, key, body);
                        }
                        assertThat(response).as("document %d", n).isNotNull();
                        assertThat(response.status()).as("document %d: %s", n, response.text()).isIn(200, 202);
                        accepted.add(response.field("documentId"));
                        if (answered.incrementAndGet() == killAfter) {
                            killed.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertThat(killed.await(120, TimeUnit.SECONDS)).isTrue();
            hubs[1].destroyForcibly(); // SIGKILL: no shutdown hook, no graceful drain, no Kafka leave-group
            assertThat(hubs[1].waitFor(30, TimeUnit.SECONDS)).isTrue();
            indexedAtKill = documents(key, "indexed").size();
            for (Future<?> upload : uploads) {
                upload.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(indexedAtKill).as("the kill hit the middle of the batch").isLessThan(documents);
        assertThat(accepted).hasSize(documents);

        // the surviving replica finishes: every document of the tenant (also one the dead replica recorded but
        // never answered for) ends indexed, once
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(statuses(key)).isEqualTo(Map.of("indexed", documents)));
        Map<String, Integer> indexed = documents(key, "indexed");
        assertThat(indexed.keySet()).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(chromaCount(bulk)).as("no document indexed twice, none lost")
                .isEqualTo(indexed.values().stream().mapToInt(Integer::intValue).sum());
        assertThat(clients[0].get("/api/v1/quarantine", key).json().get("items")).isEmpty();
        // the dead replica's reservations are released by the survivor once older than the lease
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(budget(0, key).get("embeddingTokensReserved").asLong()).isZero());
        assertThat(budget(0, key).get("embeddingTokensThisMonth").asLong()).isPositive();
    }

    private static String budgetText(int n) {
        return "Budget note " + n + ": the granary by the river holds barley and oats for the winter market.";
    }

    private HubClient.Response offer(int replica, String key, String body) {
        try {
            return clients[replica].postJson("/api/v1/documents", key, body);
        } catch (RuntimeException e) {
            return null; // connection refused or reset: the replica died
        }
    }

    private String add(int replica, String key, String text) {
        HubClient.Response response = clients[replica].postJson("/api/v1/documents", key,
                "{\"title\":\"Doc\",\"text\":" + quote(text) + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(202);
        return response.field("documentId");
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String tenant(String id, String config) {
        assertThat(clients[0].postJson("/admin/v1/tenants", ADMIN, "{\"id\":\"" + id + "\"}").status()).isEqualTo(201);
        assertThat(clients[1].putJson("/admin/v1/tenants/" + id + "/config", ADMIN, config).status()).isEqualTo(200);
        return clients[0].postJson("/admin/v1/tenants/" + id + "/keys", ADMIN, "{\"name\":\"k\"}").field("apiKey");
    }

    private JsonNode budget(int replica, String key) {
        HubClient.Response response = clients[replica].get("/api/v1/budget", key);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private String status(int replica, String key, String documentId) {
        return clients[replica].get("/api/v1/documents/" + documentId, key).field("status");
    }

    private Map<String, Integer> statuses(String key) {
        Map<String, Integer> counts = new HashMap<>();
        forEachDocument(key, null, d -> counts.merge(d.get("status").asText(), 1, Integer::sum));
        return counts;
    }

    /** The tenant's documents of one status, by id, with their chunk counts. */
    private Map<String, Integer> documents(String key, String status) {
        Map<String, Integer> chunks = new HashMap<>();
        forEachDocument(key, status, d -> chunks.put(d.get("documentId").asText(), d.get("chunks").asInt()));
        return chunks;
    }

    private void forEachDocument(String key, String status, java.util.function.Consumer<JsonNode> action) {
        String cursor = null;
        do {
            JsonNode page = clients[0].get("/api/v1/documents?limit=500" + (status == null ? "" : "&status=" + status)
                    + (cursor == null ? "" : "&cursor=" + cursor), key).json();
            page.get("items").forEach(action);
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
    }

    /** Chunks in the tenant's Chroma database, asked of Chroma itself. */
    private int chromaCount(String tenant) throws IOException, InterruptedException {
        String base = ChromaTestServer.url() + "/api/v2/tenants/caravan/databases/caravan-" + tenant;
        HttpResponse<String> collection = http.send(HttpRequest.newBuilder(URI.create(base + "/collections/chunks"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(collection.statusCode()).as(collection.body()).isEqualTo(200);
        String id = JSON.readTree(collection.body()).get("id").asText();
        return Integer.parseInt(http.send(HttpRequest.newBuilder(URI.create(base + "/collections/" + id + "/count"))
                .build(), HttpResponse.BodyHandlers.ofString()).body().trim());
    }

    private Process launch(int replica, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-jar",
                Path.of(System.getProperty("basedir", "."), "target", "caravan.jar").toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("basedir", "."), "target", "replicas-hub-" + name + ".log")
                        .toFile());
        Map<String, String> env = builder.environment();
        env.put("SPRING_PROFILES_ACTIVE", "production");
        env.put("SERVER_PORT", Integer.toString(ports[replica]));
        env.put("CARAVAN_DATA_DIR", work.resolve("data-" + name).toString());
        env.put("CARAVAN_ADMIN_TOKEN", ADMIN);
        env.put("CARAVAN_SECRETS_KEY", secretsKey);
        env.put("SPRING_DATASOURCE_URL", database.url());
        env.put("SPRING_DATASOURCE_USERNAME", Postgres.APP);
        env.put("SPRING_DATASOURCE_PASSWORD", "");
        env.put("SPRING_FLYWAY_USER", Postgres.OWNER);
        env.put("SPRING_FLYWAY_PASSWORD", "");
        env.put("CARAVAN_DB_APP_ROLE", Postgres.APP);
        env.put("CARAVAN_CHROMA_URL", ChromaTestServer.url());
        env.put("CARAVAN_KAFKA_BROKERS", kafka.getBrokersAsString());
        env.put("CARAVAN_KAFKA_INDEX_TOPIC", topic);
        env.put("CARAVAN_KAFKA_GROUP_ID", group);
        // a silent death is noticed within seconds, not the default 45
        env.put("CARAVAN_KAFKA_SESSION_TIMEOUT_MS", "6000");
        env.put("CARAVAN_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        env.put("CARAVAN_RESERVATION_LEASE", RESERVATION_LEASE);
        env.put("CARAVAN_REQUEUE_AFTER", "20s");
        env.put("CARAVAN_REPLICA_SWEEP_INTERVAL", "2s");
        env.put("CARAVAN_EMBEDDING_THREADS", "1");
        return builder.start();
    }

    private void awaitReady(int replica) {
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            assertThat(hubs[replica].isAlive()).as("replica %d is running", replica).isTrue();
            return clients[replica].get("/actuator/health/readiness", null).status() == 200;
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
