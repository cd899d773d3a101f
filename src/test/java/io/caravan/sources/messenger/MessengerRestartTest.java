package io.caravan.sources.messenger;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CaravanApplication;
import io.caravan.support.HubClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A webhook replayed after the hub restarted does not ingest its mid again: the de-duplication is durable. */
class MessengerRestartTest {

    private static final String ADMIN = "restart-admin-token-0123456789";

    @TempDir
    Path dataDir;

    @Test
    void aMidIngestedBeforeARestartIsNotIngestedAgainAfterIt() {
        byte[] body = MessengerWebhookTest.payload("555", List.of(MessengerWebhookTest.message("m_durable",
                "The ferry to the island leaves at seven.")));
        byte[] edited = MessengerWebhookTest.payload("555", List.of(MessengerWebhookTest.message("m_durable",
                "Same mid, text edited after the restart.")));
        String key;
        try (ConfigurableApplicationContext first = start()) {
            HubClient hub = client(first);
            assertThat(hub.postJson("/admin/v1/tenants", ADMIN, "{\"id\":\"ferry\"}").status()).isEqualTo(201);
            assertThat(hub.putJson("/admin/v1/tenants/ferry/config", ADMIN,
                    "{\"sources\":[{\"id\":\"fb\",\"type\":\"messenger\",\"pageId\":\"555\"}]}").status()).isEqualTo(200);
            assertThat(hub.putJson("/admin/v1/tenants/ferry/secrets/messenger-app-secret", ADMIN,
                    "{\"value\":\"ferry-secret\"}").status()).isEqualTo(204);
            key = hub.postJson("/admin/v1/tenants/ferry/keys", ADMIN, "{\"name\":\"k\"}").field("apiKey");
            assertThat(post(hub, body).status()).isEqualTo(200);
            assertThat(hub.get("/api/v1/documents", key).json().path("items")).hasSize(1);
        }
        try (ConfigurableApplicationContext second = start()) {
            HubClient hub = client(second);
            assertThat(post(hub, body).status()).isEqualTo(200);
            assertThat(post(hub, edited).status()).isEqualTo(200);
            assertThat(hub.get("/api/v1/documents", key).json().path("items")).hasSize(1);
        }
    }

    private static HubClient.Response post(HubClient hub, byte[] body) {
        return hub.postBytes("/webhooks/messenger/ferry", "application/json", body,
                MessengerWebhookTest.signed("ferry-secret", body));
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(CaravanApplication.class)
                .run("--caravan.data-dir=" + dataDir, "--server.port=0", "--caravan.admin-token=" + ADMIN);
    }

    private static HubClient client(ConfigurableApplicationContext context) {
        return new HubClient("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }
}
