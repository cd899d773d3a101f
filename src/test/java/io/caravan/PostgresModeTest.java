package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import io.caravan.usage.Budget;
import io.caravan.usage.BudgetExceededException;
import io.caravan.usage.TokenBudgets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole hub with its relational state on the real PostgreSQL, connected as the application role under
 * row-level security: tenants, keys, ingestion, query, quarantine, budgets and erasure behave as in the embedded
 * mode. (Run in any mode: this class always uses PostgreSQL.)
 */
class PostgresModeTest extends HubTest {

    @DynamicPropertySource
    static void postgresProperties(DynamicPropertyRegistry registry) {
        usePostgres(registry);
    }

    @Autowired
    JdbcClient jdbc;
    @Autowired
    TokenBudgets budgets;

    @Test
    void theHubConnectsAsTheApplicationRoleUnderRowLevelSecurity() {
        assertThat(jdbc.sql("SELECT current_user").query(String.class).single()).isEqualTo("caravan_app");
        String tenant = newTenant("pg-rls");
        String key = newKey(tenant);
        awaitStatus(key, addText(key, "Visible", "Only through the tenant setting."), "indexed");
        // the hub's own connection, outside a tenant-scoped transaction, sees nothing of it
        assertThat(jdbc.sql("SELECT COUNT(*) FROM documents").query(Integer.class).single()).isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM api_keys").query(Integer.class).single()).isZero();
        assertThat(postgres().superuser().sql("SELECT COUNT(*) FROM documents WHERE tenant_id = :t")
                .param("t", tenant).query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    void ingestionQueryAndIsolation() {
        String a = newTenant("pg-a");
        String b = newTenant("pg-b");
        String keyA = newKey(a);
        String keyB = newKey(b);
        String text = "The lighthouse keeper of Skerry Point is called Ingrid and feeds the gulls at dawn.";
        String documentId = addText(keyA, "Lighthouse", text);
        HubClient.Response indexed = awaitStatus(keyA, documentId, "indexed");
        assertThat(indexed.json().get("chunks").asInt()).isPositive();

        HubClient.Response again = hub.postJson("/api/v1/documents", keyA,
                "{\"title\":\"Again\",\"text\":" + quote(text) + "}");
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.field("status")).isEqualTo("duplicate");
        // the same content for another tenant is another document
        awaitStatus(keyB, addText(keyB, "Lighthouse", text), "indexed");

        assertThat(cited(ask(keyA, "Who is the lighthouse keeper?"))).contains(documentId);
        assertThat(cited(ask(keyB, "Who is the lighthouse keeper?"))).doesNotContain(documentId);
        assertThat(hub.get("/api/v1/documents/" + documentId, keyB).code()).isEqualTo("not_found");
    }

    @Test
    void brokenUploadsAreQuarantinedAndListed() {
        String tenant = newTenant("pg-quarantine");
        String key = newKey(tenant);
        String broken = hub.upload("/api/v1/documents", key, "broken.txt", "text/plain",
                new byte[] {'o', 'k', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF, 'x'}).field("documentId");
        awaitStatus(key, broken, "quarantined");
        JsonNode items = hub.get("/api/v1/quarantine", key).json().get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("documentId").asText()).isEqualTo(broken);
    }

    @Test
    void concurrentReservationsNeverExceedTheBudget() throws Exception {
        TenantId tenant = TenantId.of(newTenant("pg-budget"));
        // the reservation statement reads this limit from the config row (PostgreSQL's caravan_budget_limit)
        configure(tenant.value(), "{\"budgets\":{\"embeddingTokensPerMonth\":1000}}");
        int callers = 30;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 70);
                        return true;
                    } catch (BudgetExceededException e) {
                        return false;
                    }
                }));
            }
            start.countDown();
            int granted = 0;
            for (Future<Boolean> result : results) {
                granted += result.get() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(14); // 14 × 70 = 980 ≤ 1000 < 15 × 70
            assertThat(budgets.usage(tenant, Budget.EMBEDDING_MONTHLY, 1_000L).reserved()).isEqualTo(980);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void erasureLeavesNothingOfTheTenantButItsUsageLedger() {
        String gone = newTenant("pg-leaving");
        String stays = newTenant("pg-staying");
        String goneKey = newKey(gone);
        String staysKey = newKey(stays);
        hub.putJson("/admin/v1/tenants/" + gone + "/secrets/token", ADMIN_TOKEN, "{\"value\":\"v\"}");
        awaitStatus(goneKey, addText(goneKey, "One", "The first document of the tenant that leaves."), "indexed");
        String broken = hub.upload("/api/v1/documents", goneKey, "broken.txt", "text/plain",
                new byte[] {'o', 'k', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF, 'x'}).field("documentId");
        awaitStatus(goneKey, broken, "quarantined");
        String kept = addText(staysKey, "Kept", "The document of the tenant that stays.");
        awaitStatus(staysKey, kept, "indexed");
        budgets.reserve(TenantId.of(gone), Budget.LLM_DAILY, 5);

        HubClient.Response erased = hub.delete("/admin/v1/tenants/" + gone, ADMIN_TOKEN);
        assertThat(erased.status()).as(erased.text()).isEqualTo(200);
        assertThat(erased.json().get("documents").asInt()).isEqualTo(2);
        assertThat(erased.json().get("keys").asInt()).isEqualTo(1);
        assertThat(erased.json().get("secrets").asInt()).isEqualTo(1);
        assertThat(erased.json().get("quarantined").asInt()).isEqualTo(1);

        // as the superuser (no row-level security): every table with a tenant_id column
        JdbcClient all = postgres().superuser();
        Set<String> ledger = Set.of("usage_events", "usage_daily");
        List<String> tables = all.sql("""
                SELECT table_name FROM information_schema.columns
                WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name""")
                .query(String.class).list();
        assertThat(tables).contains("documents", "api_keys", "usage_events");
        for (String table : tables) {
            int rows = all.sql("SELECT COUNT(*) FROM " + table + " WHERE tenant_id = :t").param("t", gone)
                    .query(Integer.class).single();
            if (ledger.contains(table)) {
                assertThat(rows).as(table + " (the usage ledger is kept)").isPositive();
            } else {
                assertThat(rows).as(table).isZero();
            }
        }
        assertThat(all.sql("SELECT COUNT(*) FROM tenants WHERE id = :t").param("t", gone).query(Integer.class)
                .single()).isZero();
        assertThat(hub.get("/api/v1/documents/" + kept, staysKey).field("status")).isEqualTo("indexed");

        // the operator still sees the erased tenant's usage
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        HubClient.Response report = hub.get("/admin/v1/usage?from=" + today + "&to=" + today
                + "&groupBy=tenant,model", ADMIN_TOKEN);
        assertThat(report.status()).as(report.text()).isEqualTo(200);
        Set<String> tenants = new HashSet<>();
        report.json().path("rows").forEach(row -> tenants.add(row.path("tenant").asText()));
        assertThat(tenants).contains(gone, stays);
    }

    /**
     * Another replica's write in flight when erasure runs — a transaction of the application role on a connection
     * of its own, outside this hub's process fence — holds a key-share lock on the tenant row through the
     * foreign key: erasure's delete of the tenant row waits for it, then cascades to what it wrote.
     */
    @Test
    void anotherReplicasWriteInFlightIsFencedByTheForeignKeys() throws Exception {
        String gone = newTenant("pg-racing");
        ExecutorService eraser = Executors.newSingleThreadExecutor();
        try (Connection inFlight = postgres().appDataSource().getConnection()) {
            inFlight.setAutoCommit(false);
            try (PreparedStatement scope = inFlight.prepareStatement("SELECT set_config('caravan.tenant_id', ?, true)")) {
                scope.setString(1, gone);
                scope.executeQuery().close();
            }
            try (PreparedStatement insert = inFlight.prepareStatement("""
                    INSERT INTO documents (tenant_id, document_id, title, source_type, content_type, status, chunks,
                                           created_at, updated_at)
                    VALUES (?, 'doc_other_replica', 'In flight', 'upload', 'text/plain', 'queued', 0, now(), now())""")) {
                insert.setString(1, gone);
                assertThat(insert.executeUpdate()).isOne();
            }
            int writer;
            try (PreparedStatement pid = inFlight.prepareStatement("SELECT pg_backend_pid()");
                 java.sql.ResultSet result = pid.executeQuery()) {
                result.next();
                writer = result.getInt(1);
            }
            Future<HubClient.Response> erasure = eraser.submit(() -> hub.delete("/admin/v1/tenants/" + gone,
                    ADMIN_TOKEN));
            JdbcClient superuser = postgres().superuser();
            // unfenced, the erasure would be over before the write commits; fenced, a session waits for this one
            await().atMost(Duration.ofSeconds(30)).until(() -> erasure.isDone() || superuser.sql(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE :writer = ANY(pg_blocking_pids(pid))")
                    .param("writer", writer).query(Integer.class).single() > 0);
            assertThat(erasure).isNotDone();
            inFlight.commit();
            HubClient.Response erased = erasure.get(30, TimeUnit.SECONDS);
            assertThat(erased.status()).as(erased.text()).isEqualTo(200);
        } finally {
            eraser.shutdownNow();
        }
        assertThat(postgres().superuser().sql("SELECT COUNT(*) FROM documents WHERE tenant_id = :t").param("t", gone)
                .query(Integer.class).single()).isZero();
    }

    private JsonNode ask(String key, String question) {
        HubClient.Response response = hub.postJson("/api/v1/query", key, "{\"question\":" + quote(question) + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private static Set<String> cited(JsonNode answer) {
        Set<String> ids = new HashSet<>();
        answer.get("citations").forEach(c -> ids.add(c.get("documentId").asText()));
        return ids;
    }
}
