package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.support.HubClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Tenants, keys, documents and vectors survive a stop and start of the hub on the same data dir. */
class RestartTest {

    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesARestart() {
        String key;
        String documentId;
        String adminToken;
        try (ConfigurableApplicationContext first = start()) {
            HubClient hub = client(first);
            adminToken = readAdminToken();
            assertThat(adminToken).as("generated admin token file").isNotBlank();
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
            assertThat(readAdminToken()).isEqualTo(adminToken);
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
        return new SpringApplicationBuilder(CaravanApplication.class)
                .run("--caravan.data-dir=" + dataDir, "--server.port=0", "--caravan.admin-token=");
    }

    private String readAdminToken() {
        try {
            return java.nio.file.Files.readString(dataDir.resolve("admin-token")).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HubClient client(ConfigurableApplicationContext context) {
        return new HubClient("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }
}
