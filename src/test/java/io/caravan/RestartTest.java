package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.support.HubClient;
import io.caravan.support.TestMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Tenants, keys, secrets, documents and vectors survive a stop and start of the hub: on the same data dir in the
 * embedded mode; in the production mode a new hub on the same PostgreSQL database, Chroma server and Kafka topic.
 */
@Tag("contract")
class RestartTest {

    @TempDir
    Path dataDir;

    /** The index queue both hubs use (production mode). */
    private final Map<String, String> queue = TestMode.queueSettings();

    @Test
    void dataSurvivesARestart() {
        String key;
        String documentId;
        String adminToken;
        try (ConfigurableApplicationContext first = start()) {
            HubClient hub = client(first);
            adminToken = adminToken();
            assertThat(adminToken).as("admin token").isNotBlank();
            assertThat(hub.postJson("/admin/v1/tenants", adminToken, "{\"id\":\"durable\"}").status()).isEqualTo(201);
            key = hub.postJson("/admin/v1/tenants/durable/keys", adminToken, "{\"name\":\"k\"}").field("apiKey");
            hub.putJson("/admin/v1/tenants/durable/secrets/token", adminToken, "{\"value\":\"s3cret-value\"}");
            documentId = hub.postJson("/api/v1/documents", key,
                    "{\"title\":\"Lighthouse\",\"text\":\"The lighthouse keeper lights the lamp at dusk every day.\"}")
                    .field("documentId");
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    "indexed".equals(hub.get("/api/v1/documents/" + documentId, key).field("status")));
        }
        try (ConfigurableApplicationContext second = start()) {
            HubClient hub = client(second);
            assertThat(adminToken()).isEqualTo(adminToken);
            assertThat(hub.get("/admin/v1/tenants/durable", adminToken).status()).isEqualTo(200);
            assertThat(hub.get("/admin/v1/tenants/durable/secrets", adminToken).text()).contains("token")
                    .doesNotContain("s3cret-value");
            HubClient.Response document = hub.get("/api/v1/documents/" + documentId, key);
            assertThat(document.status()).isEqualTo(200);
            assertThat(document.field("status")).isEqualTo("indexed");
            HubClient.Response answer = hub.postJson("/api/v1/query", key, "{\"question\":\"When is the lamp lit?\"}");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.field("answer")).contains("dusk");
            assertThat(answer.json().get("citations").get(0).get("documentId").asText()).isEqualTo(documentId);
        }
    }

    private ConfigurableApplicationContext start() {
        // command-line arguments: they take precedence over application.yaml, as for a real start
        List<String> args = new ArrayList<>(List.of("--caravan.data-dir=" + dataDir, "--server.port=0"));
        if (TestMode.production()) {
            args.addAll(TestMode.hubArguments(queue)); // the production profile refuses to generate a token
        } else {
            args.add("--caravan.admin-token="); // generated into the data dir, and read back after the restart
        }
        return new SpringApplicationBuilder(CaravanApplication.class).run(args.toArray(String[]::new));
    }

    private String adminToken() {
        if (TestMode.production()) {
            return TestMode.ADMIN_TOKEN;
        }
        try {
            return Files.readString(dataDir.resolve("admin-token")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HubClient client(ConfigurableApplicationContext context) {
        return new HubClient("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }
}
