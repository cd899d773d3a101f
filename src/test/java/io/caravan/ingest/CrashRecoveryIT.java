package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.tenancy.TenantId;
import io.caravan.vector.TenantVectorStore;
import io.caravan.vector.VectorStores;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing accepted is lost: a real hub process is killed with SIGKILL in the middle of a batch, right after
 * accepting documents; after a restart every accepted document is indexed exactly once.
 */
class CrashRecoveryIT {

    private static final String ADMIN = "crash-admin-token";
    private static final int DOCUMENTS = 100;

    @TempDir
    Path dataDir;

    @TempDir
    Path logs;

    private Process hub;

    @AfterEach
    void stop() throws InterruptedException {
        if (hub != null && hub.isAlive()) {
            hub.destroyForcibly();
            hub.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void documentsAcceptedBeforeAKillAreIndexedOnceAfterARestart() throws Exception {
        int port = freePort();
        HubClient client = new HubClient("http://127.0.0.1:" + port);
        hub = start(port, "first");
        assertThat(client.postJson("/admin/v1/tenants", ADMIN, "{\"id\":\"crash\"}").status()).isEqualTo(201);
        // a slow indexing rate keeps most of the batch in flight when the process dies
        assertThat(client.putJson("/admin/v1/tenants/crash/config", ADMIN,
                "{\"limits\":{\"ingestDocumentsPerSecond\":5}}").status()).isEqualTo(200);
        String key = client.postJson("/admin/v1/tenants/crash/keys", ADMIN, "{\"name\":\"k\"}").field("apiKey");

        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < DOCUMENTS; i++) {
            HubClient.Response response = client.postJson("/api/v1/documents", key, "{\"title\":\"Crash " + i
                    + "\",\"text\":\"Document number " + i + " of the batch that survives a crash. It has a second "
                    + "sentence so that it is a little longer, about item " + i + ".\"}");
            assertThat(response.status()).isEqualTo(202);
            accepted.add(response.field("documentId"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> indexed(client, key).size() >= 5);
        int indexedBeforeKill = indexed(client, key).size();
        hub.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful drain
        assertThat(hub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // at 5 documents per second most of the batch was still waiting when the process died
        assertThat(indexedBeforeKill).as("the kill hit the middle of the batch").isLessThan(DOCUMENTS);

        hub = start(port, "second");

        assertThat(client.putJson("/admin/v1/tenants/crash/config", ADMIN,
                "{\"limits\":{\"ingestDocumentsPerSecond\":1000}}").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(indexed(client, key)).as("documents by status: %s", statuses(client, key))
                        .hasSize(DOCUMENTS));
        Map<String, Integer> chunks = indexed(client, key);
        assertThat(chunks.keySet()).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(client.get("/api/v1/quarantine", key).json().get("items")).isEmpty();
        assertThat(client.get("/api/v1/budget", key).json().get("embeddingTokensReserved").asLong()).isZero();

        hub.destroy();
        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).isTrue();
        TenantVectorStore store = VectorStores.embeddedAt(dataDir);
        int expectedChunks = chunks.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(store.countChunks(TenantId.of("crash"))).as("no document indexed twice").isEqualTo(expectedChunks);
    }

    private Map<String, Integer> statuses(HubClient client, String key) {
        Map<String, Integer> counts = new HashMap<>();
        client.get("/api/v1/documents?limit=500", key).json().get("items")
                .forEach(d -> counts.merge(d.get("status").asText(), 1, Integer::sum));
        return counts;
    }

    private Map<String, Integer> indexed(HubClient client, String key) {
        Map<String, Integer> chunks = new HashMap<>();
        String cursor = null;
        do {
            JsonNode page = client.get("/api/v1/documents?status=indexed&limit=500"
                    + (cursor == null ? "" : "&cursor=" + cursor), key).json();
            page.get("items").forEach(d -> chunks.put(d.get("documentId").asText(), d.get("chunks").asInt()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        return chunks;
    }

    private Process start(int port, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of(System.getProperty("basedir", "."), "target", "caravan.jar").toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("hub-" + name + ".log").toFile());
        builder.environment().put("CARAVAN_DATA_DIR", dataDir.toString());
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        builder.environment().put("CARAVAN_ADMIN_TOKEN", ADMIN);
        Process process = builder.start();
        HubClient client = new HubClient("http://127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            assertThat(process.isAlive()).as("hub " + name + " is running").isTrue();
            return client.get("/actuator/health/readiness", null).status() == 200;
        });
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
