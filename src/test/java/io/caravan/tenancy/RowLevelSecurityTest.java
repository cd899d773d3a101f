package io.caravan.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.support.Postgres;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Row-level security on real PostgreSQL, as the hub's role: without the tenant setting a query sees no row of any
 * tenant-owned table; with tenant A set it sees only A's rows and cannot write B's.
 */
class RowLevelSecurityTest {

    private static Postgres database;
    private static JdbcClient app;
    private static TransactionTemplate transactions;
    private static List<String> tenantTables;

    @BeforeAll
    static void migrateAndLoad() {
        database = Postgres.create();
        database.migrate();
        DriverManagerDataSource dataSource = database.appDataSource();
        app = JdbcClient.create(dataSource);
        transactions = new TransactionTemplate(new JdbcTransactionManager(dataSource));
        tenantTables = database.superuser().sql("""
                SELECT table_name FROM information_schema.columns
                WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name""")
                .query(String.class).list();
        for (String tenant : List.of("tenant-a", "tenant-b")) {
            // every tenant-owned row references its tenant (V11); the tenants table itself has no policy
            app.sql("""
                    INSERT INTO tenants (id, display_name, config_json, config_version, created_at, updated_at)
                    VALUES (:t, :t, '{}', 1, :now, :now)""").param("t", tenant)
                    .param("now", OffsetDateTime.parse("2026-06-01T10:00:00Z")).update();
            asTenant(tenant, jdbc -> {
                insertOneRowEach(jdbc, tenant);
                return null;
            });
        }
    }

    @AfterAll
    static void drop() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void everyTenantOwnedTableHasForcedRowLevelSecurity() {
        assertThat(tenantTables).hasSize(12);
        for (String table : tenantTables) {
            assertThat(database.superuser().sql(
                            "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = :t::regclass")
                    .param("t", table).query(Boolean.class).single()).as(table).isTrue();
        }
        assertThat(database.superuser().sql("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = :r")
                .param("r", Postgres.APP).query(Boolean.class).single()).isFalse();
    }

    @Test
    void withoutTheTenantSettingNoRowIsVisible() {
        for (String table : tenantTables) {
            assertThat(database.superuser().sql("SELECT COUNT(*) FROM " + table).query(Integer.class).single())
                    .as("rows stored in " + table).isEqualTo(2);
            assertThat(app.sql("SELECT COUNT(*) FROM " + table).query(Integer.class).single()).as(table).isZero();
            assertThat(app.sql("DELETE FROM " + table).update()).as(table).isZero();
        }
    }

    @Test
    void withTenantASetOnlyItsRowsAreVisible() {
        for (String table : tenantTables) {
            List<String> seen = asTenant("tenant-a",
                    jdbc -> jdbc.sql("SELECT DISTINCT tenant_id FROM " + table).query(String.class).list());
            assertThat(seen).as(table).containsExactly("tenant-a");
        }
    }

    @Test
    void withTenantASetWritingTenantBRowsFails() {
        assertThatThrownBy(() -> asTenant("tenant-a", jdbc -> {
            insertOneRowEach(jdbc, "tenant-b");
            return null;
        })).hasStackTraceContaining("row-level security");
        assertThatThrownBy(() -> asTenant("tenant-a", jdbc -> jdbc.sql(
                "UPDATE documents SET tenant_id = 'tenant-b'").update()))
                .hasStackTraceContaining("row-level security");
        int updated = asTenant("tenant-a", jdbc -> jdbc.sql("UPDATE documents SET title = 'x' WHERE tenant_id = "
                + "'tenant-b'").update());
        assertThat(updated).isZero();
    }

    @Test
    void theSettingLastsOneTransactionOnly() {
        asTenant("tenant-a", jdbc -> jdbc.sql("SELECT COUNT(*) FROM documents").query(Integer.class).single());
        // same pooled-or-not connection or not: after the transaction the setting is gone
        transactions.execute(status -> {
            app.sql("SELECT set_config('caravan.tenant_id', 'tenant-a', true)").query(String.class).single();
            return null;
        });
        assertThat(app.sql("SELECT COUNT(*) FROM api_keys").query(Integer.class).single()).isZero();
    }

    @Test
    void theKeyLookupAnswersOnlyATenantIdForAHash() {
        assertThat(app.sql("SELECT caravan_api_key_tenant('hash-tenant-b')").query(String.class).single())
                .isEqualTo("tenant-b");
        assertThat(app.sql("SELECT caravan_api_key_tenant('unknown')").query((rs, row) -> rs.getString(1)).list())
                .containsExactly((String) null);
        assertThat(app.sql("SELECT COUNT(*) FROM caravan_usage_by_tenant(DATE '2026-01-01', DATE '2026-12-31')")
                .query(Integer.class).single()).isEqualTo(2);
    }

    @Test
    void theAppRoleCannotTouchTheSchemaOrTheMigrationHistory() {
        assertThatThrownBy(() -> app.sql("ALTER TABLE documents DISABLE ROW LEVEL SECURITY").update())
                .hasStackTraceContaining("must be owner");
        assertThatThrownBy(() -> app.sql("SELECT COUNT(*) FROM flyway_schema_history").query(Integer.class).single())
                .hasStackTraceContaining("permission denied");
    }

    @Test
    void theBypassCheckAcceptsOnlyTheAppRole() {
        assertThat(app.sql("SELECT caravan_row_security_bypassed()").query(Boolean.class).single()).isFalse();
        assertThat(database.superuser().sql("SELECT caravan_row_security_bypassed()").query(Boolean.class).single())
                .as("superuser").isTrue();
        assertThat(JdbcClient.create(database.ownerDataSource()).sql("SELECT caravan_row_security_bypassed()")
                .query(Boolean.class).single()).as("owner").isTrue();
        assertThatThrownBy(() -> new RowSecurityCheck(database.superuser()))
                .hasMessageContaining("bypasses row-level security");
        new RowSecurityCheck(app);
    }

    private static <T> T asTenant(String tenant, Function<JdbcClient, T> work) {
        return transactions.execute(status -> {
            app.sql("SELECT set_config('caravan.tenant_id', :t, true)").param("t", tenant).query(String.class).single();
            return work.apply(app);
        });
    }

    private static void insertOneRowEach(JdbcClient jdbc, String tenant) {
        OffsetDateTime now = OffsetDateTime.parse("2026-06-01T10:00:00Z");
        String doc = "doc-" + tenant;
        jdbc.sql("INSERT INTO api_keys (key_id, tenant_id, name, key_hash, created_at) VALUES (:id, :t, 'k', :h, :now)")
                .param("id", "key-" + tenant).param("t", tenant).param("h", "hash-" + tenant).param("now", now).update();
        jdbc.sql("INSERT INTO tenant_secrets (tenant_id, name, ciphertext, updated_at) VALUES (:t, 's', 'c', :now)")
                .param("t", tenant).param("now", now).update();
        jdbc.sql("""
                INSERT INTO documents (tenant_id, document_id, title, source_type, content_type, status, chunks,
                                       created_at, updated_at)
                VALUES (:t, :d, 'title', 'upload', 'text/plain', 'queued', 0, :now, :now)""")
                .param("t", tenant).param("d", doc).param("now", now).update();
        jdbc.sql("INSERT INTO document_payloads (tenant_id, document_id, body) VALUES (:t, :d, :b)")
                .param("t", tenant).param("d", doc).param("b", new byte[] {1, 2, 3}).update();
        jdbc.sql("""
                INSERT INTO quarantine (id, tenant_id, document_id, source_type, stage, reason, error, attempts,
                                        quarantined_at)
                VALUES (:id, :t, :d, 'upload', 'parse', 'corrupt', 'e', 1, :now)""")
                .param("id", "q-" + tenant).param("t", tenant).param("d", doc).param("now", now).update();
        jdbc.sql("INSERT INTO budget_usage (tenant_id, budget, period, used, reserved) VALUES (:t, 'b', '2026-06', 1, 0)")
                .param("t", tenant).update();
        jdbc.sql("""
                INSERT INTO budget_reservations (id, tenant_id, budget, period, tokens, created_at)
                VALUES (:id, :t, 'b', '2026-06', 1, :now)""")
                .param("id", "r-" + tenant).param("t", tenant).param("now", now).update();
        jdbc.sql("""
                INSERT INTO budget_alerts (tenant_id, budget, period, threshold, fired_at)
                VALUES (:t, 'b', '2026-06', '0.8', :now)""")
                .param("t", tenant).param("now", now).update();
        jdbc.sql("""
                INSERT INTO usage_events (tenant_id, occurred_at, kind, provider, model, prompt_tokens,
                                          completion_tokens, embedding_tokens)
                VALUES (:t, :now, 'chat', 'p', 'm', 1, 1, 0)""")
                .param("t", tenant).param("now", now).update();
        jdbc.sql("""
                INSERT INTO usage_daily (tenant_id, usage_day, kind, provider, model, requests, prompt_tokens,
                                         completion_tokens, embedding_tokens)
                VALUES (:t, DATE '2026-06-01', 'chat', 'p', 'm', 1, 1, 1, 0)""")
                .param("t", tenant).update();
        jdbc.sql("""
                INSERT INTO web_pages (tenant_id, source_id, url_hash, url, fetched_at)
                VALUES (:t, 'site', 'h', 'http://example.test/', :now)""")
                .param("t", tenant).param("now", now).update();
        jdbc.sql("""
                INSERT INTO messenger_messages (tenant_id, mid, source_id, document_id, recorded_at)
                VALUES (:t, 'm.1', 'page', :d, :now)""")
                .param("t", tenant).param("d", doc).param("now", now).update();
    }
}
