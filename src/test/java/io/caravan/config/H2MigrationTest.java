package io.caravan.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * An H2 database made by the first five migrations (before the vendor split) migrates on, and its base64 payloads
 * become the same bytes. (The scripts moved to common/ and h2/ unchanged, so their checksums are the same.)
 */
class H2MigrationTest {

    @TempDir
    Path dir;

    @Test
    void anExistingEmbeddedDatabaseMigratesAndKeepsItsPayloads() {
        SingleConnectionDataSource dataSource = new SingleConnectionDataSource(
                "jdbc:h2:file:" + dir.resolve("caravan") + ";DB_CLOSE_ON_EXIT=FALSE", "caravan", "", true);
        try {
            flyway(dataSource, MigrationVersion.fromVersion("5")).migrate();
            JdbcClient jdbc = JdbcClient.create(dataSource);
            byte[] content = "accepted, not yet indexed \u00e9".getBytes(StandardCharsets.UTF_8);
            jdbc.sql("INSERT INTO tenants (id, display_name, config_json, config_version, created_at, updated_at) "
                    + "VALUES ('acme', 'Acme', '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)").update();
            jdbc.sql("INSERT INTO document_payloads (tenant_id, document_id, file_name, body) VALUES ('acme', 'd1', "
                    + "'a.txt', :body)").param("body", Base64.getEncoder().encodeToString(content)).update();
            // left by an erasure that raced a write (before V11): no tenant owns it any more
            jdbc.sql("INSERT INTO document_payloads (tenant_id, document_id, file_name, body) VALUES ('erased', 'd2', "
                    + "'b.txt', :body)").param("body", Base64.getEncoder().encodeToString(content)).update();

            // migrate validates the applied scripts' checksums first
            flyway(dataSource, MigrationVersion.LATEST).migrate();

            assertThat(jdbc.sql("SELECT body FROM document_payloads WHERE document_id = 'd1'")
                    .query((rs, row) -> rs.getBytes(1)).single()).isEqualTo(content);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM document_payloads WHERE tenant_id = 'erased'")
                    .query(Integer.class).single()).isZero();
            assertThat(jdbc.sql("SELECT set_config('caravan.tenant_id', 'acme', true)").query(String.class).single())
                    .isEqualTo("acme");
        } finally {
            dataSource.destroy();
        }
    }

    private static Flyway flyway(SingleConnectionDataSource dataSource, MigrationVersion target) {
        return Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/migration/common", "classpath:db/migration/h2")
                .placeholders(Map.of("app_role", "unused"))
                .target(target).load();
    }
}
