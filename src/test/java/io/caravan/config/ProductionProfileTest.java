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

    private void start(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "--caravan.data-dir=" + dataDir;
        all[1] = "--server.port=0";
        all[2] = "--spring.profiles.active=production";
        System.arraycopy(args, 0, all, 3, args.length);
        new SpringApplicationBuilder(CaravanApplication.class).run(all).close();
    }
}
