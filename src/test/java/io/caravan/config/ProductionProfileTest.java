package io.caravan.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.CaravanApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The production profile never generates an admin token or a secrets key: it refuses to start instead. */
class ProductionProfileTest {

    @TempDir
    Path dataDir;

    @Test
    void refusesToStartWithoutAnAdminToken() {
        assertThatThrownBy(() -> start("--caravan.admin-token=", "--caravan.secrets-key=x"))
                .hasStackTraceContaining("CARAVAN_ADMIN_TOKEN is required");
        assertThat(Files.exists(dataDir.resolve("admin-token"))).isFalse();
    }

    @Test
    void refusesToStartWithoutASecretsKey() {
        assertThatThrownBy(() -> start("--caravan.admin-token=set", "--caravan.secrets-key="))
                .hasStackTraceContaining("CARAVAN_SECRETS_KEY is required");
        assertThat(Files.exists(dataDir.resolve("secrets-key"))).isFalse();
    }

    @Test
    void namesEveryMissingSettingInOneMessage() {
        assertThatThrownBy(() -> start("--caravan.admin-token=", "--caravan.secrets-key="))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll("CARAVAN_ADMIN_TOKEN is required",
                        "CARAVAN_SECRETS_KEY is required", "SPRING_DATASOURCE_URL is required",
                        "CARAVAN_CHROMA_URL is required", "CARAVAN_KAFKA_BROKERS is required");
        assertThat(Files.exists(dataDir.resolve("admin-token"))).isFalse();
        assertThat(Files.exists(dataDir.resolve("db"))).as("nothing started before the check").isFalse();
    }

    @Test
    void refusesADatabaseOtherThanPostgresqlWithoutShowingItsUrl() {
        assertThatThrownBy(() -> start("--caravan.admin-token=set", "--caravan.secrets-key=x",
                "--caravan.chroma.url=http://127.0.0.1:8000", "--caravan.kafka.brokers=127.0.0.1:9092",
                "--spring.datasource.url=jdbc:h2:mem:secret-name;PASSWORD=hunter2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SPRING_DATASOURCE_URL must be a PostgreSQL URL")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("CARAVAN_ADMIN_TOKEN");
    }

    private void start(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "--caravan.data-dir=" + dataDir;
        all[1] = "--server.port=0";
        all[2] = "--spring.profiles.active=production";
        System.arraycopy(args, 0, all, 3, args.length);
        new SpringApplicationBuilder(CaravanApplication.class).run(all).close();
    }
}
