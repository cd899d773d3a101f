package io.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.observability.TenantMetrics;
import io.caravan.query.AnswerCache;
import io.caravan.secrets.TenantSecrets;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.support.VectorStorage;
import io.caravan.tenancy.ApiKeys;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantNotFoundException;
import io.caravan.tenancy.TenantTransactions;
import io.caravan.usage.Budget;
import io.caravan.usage.TokenBudgets;
import io.caravan.vector.TenantVectorStore;
import io.caravan.vector.VectorChunk;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Offboarding removes every trace of the tenant from every store — every table with a {@code tenant_id} column
 * but the usage ledger, the tenant's vector storage (its directory or its Chroma database), the answer cache,
 * secrets and keys — reports what it removed, and spares the other tenants.
 */
@Tag("contract")
class TenantErasureTest extends HubTest {

    /** The usage ledger outlives the tenant (billing, the operator's reports). */
    private static final Set<String> KEPT = Set.of("usage_events", "usage_daily");

    @Autowired
    Environment environment;
    @Autowired
    TenantVectorStore store;
    @Autowired
    AnswerCache cache;
    @Autowired
    TenantSecrets secrets;
    @Autowired
    ApiKeys apiKeys;
    @Autowired
    TokenBudgets budgets;
    @Autowired
    TenantTransactions transactions;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TenantMetrics metrics;

    @Test
    void erasingATenantLeavesNothingOfItAndKeepsTheOthers() {
        String gone = newTenant("leaving");
        String stays = newTenant("staying");
        String goneKey = newKey(gone);
        String staysKey = newKey(stays);
        TenantId goneId = TenantId.of(gone);
        VectorStorage vectors = new VectorStorage(environment);
        hub.putJson("/admin/v1/tenants/" + gone + "/secrets/token", ADMIN_TOKEN, "{\"value\":\"v\"}");
        hub.putJson("/admin/v1/tenants/" + stays + "/secrets/token", ADMIN_TOKEN, "{\"value\":\"v\"}");
        assertThat(hub.putJson("/admin/v1/tenants/" + gone + "/config", ADMIN_TOKEN,
                "{\"budgets\":{\"embeddingTokensPerMonth\":100000}}").status()).isEqualTo(200);
        String one = addText(goneKey, "One", "The first document of the tenant that leaves.");
        String two = addText(goneKey, "Two", "The second document of the tenant that leaves.");
        String broken = hub.upload("/api/v1/documents", goneKey, "broken.txt", "text/plain",
                new byte[] {'o', 'k', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF, 'x'}).field("documentId");
        String kept = addText(staysKey, "Kept", "The document of the tenant that stays.");
        awaitStatus(goneKey, one, "indexed");
        awaitStatus(goneKey, two, "indexed");
        awaitStatus(goneKey, broken, "quarantined");
        awaitStatus(staysKey, kept, "indexed");
        HubClient.Response asked = hub.postJson("/api/v1/query", goneKey, "{\"question\":\"Which tenant leaves?\"}");
        assertThat(asked.status()).as(asked.text()).isEqualTo(200);
        // the question's usage is written a moment later, off the query's path: let it land before the erasure
        await().atMost(Duration.ofSeconds(20)).until(() -> rowsOf(gone).getOrDefault("usage_events", 0) >= 3);
        // before: the tenant is present in every kind of store the test looks at afterwards
        assertThat(vectors.exists(gone)).as("vector storage of " + gone).isTrue();
        assertThat(store.countChunks(goneId)).isGreaterThanOrEqualTo(2);
        assertThat(rowsOf(gone)).as("rows of the tenant per table")
                .containsKeys("documents", "document_payloads", "quarantine", "api_keys", "tenant_secrets",
                        "budget_usage", "usage_events", "usage_daily");

        HubClient.Response erased = hub.delete("/admin/v1/tenants/" + gone, ADMIN_TOKEN);
        assertThat(erased.status()).as(erased.text()).isEqualTo(200);
        JsonNode report = erased.json();
        assertThat(report.get("tenant").asText()).isEqualTo(gone);
        assertThat(report.get("documents").asInt()).isEqualTo(3);
        assertThat(report.get("chunks").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(report.get("secrets").asInt()).isEqualTo(1);
        assertThat(report.get("keys").asInt()).isEqualTo(1);
        assertThat(report.get("quarantined").asInt()).isEqualTo(1);
        assertThat(report.get("cacheEntries").asInt()).isEqualTo(1);

        // every table with a tenant_id column holds nothing of it but the usage ledger, nor does the tenants table
        assertThat(rowsOf(gone)).as("rows left of the erased tenant").containsOnlyKeys(KEPT);
        assertThat(storedRows().sql("SELECT COUNT(*) FROM tenants WHERE id = :t").param("t", gone)
                .query(Integer.class).single()).isZero();
        // its vectors: the storage itself is gone (directory or Chroma database), and the store port finds nothing
        assertThat(vectors.exists(gone)).as("vector storage of " + gone).isFalse();
        assertThat(store.countChunks(goneId)).isZero();
        // cache, secrets and keys
        assertThat(cache.evict(goneId)).as("cached answers left").isZero();
        assertThat(secrets.list(goneId)).isEmpty();
        assertThat(apiKeys.resolve(goneKey)).isEmpty();
        assertThat(hub.get("/api/v1/documents", goneKey).status()).isEqualTo(401);
        assertThat(hub.get("/admin/v1/tenants/" + gone, ADMIN_TOKEN).code()).isEqualTo("tenant_not_found");
        // an index worker of the tenant finishing late (after the fence) records its outcome: it stays out too
        metrics.ingestDocument(goneId, "upload", "indexed");
        assertThat(hub.get("/actuator/prometheus", null).text()).as("no meter of the erased tenant is left")
                .doesNotContain("tenant_id=\"" + gone + "\"");
        // the operator still sees the erased tenant's usage
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        HubClient.Response usage = hub.get("/admin/v1/usage?from=" + today + "&to=" + today + "&groupBy=tenant,model",
                ADMIN_TOKEN);
        assertThat(usage.status()).as(usage.text()).isEqualTo(200);
        Set<String> reported = new HashSet<>();
        usage.json().path("rows").forEach(row -> reported.add(row.path("tenant").asText()));
        assertThat(reported).contains(gone);

        // the other tenant is untouched
        assertThat(hub.get("/api/v1/documents/" + kept, staysKey).field("status")).isEqualTo("indexed");
        assertThat(hub.get("/admin/v1/tenants/" + stays + "/secrets", ADMIN_TOKEN).json().get("items")).hasSize(1);
        assertThat(vectors.exists(stays)).isTrue();
        assertThat(hub.postJson("/api/v1/query", staysKey, "{\"question\":\"Which tenant stays?\"}").json()
                .get("citations").get(0).get("documentId").asText()).isEqualTo(kept);

        // the id can be used again, starting empty: even chunks an index worker wrote after the erasure (here
        // written straight to the store) are gone once the id is taken again
        float[] vector = new float[384];
        vector[0] = 1;
        store.replaceDocument(goneId, "doc_leftover", List.of(new VectorChunk("doc_leftover#0", "doc_leftover", 0,
                "Leftover", "upload", null, "Written by a worker after the erasure.", vector)));
        assertThat(store.countChunks(goneId)).isOne();
        assertThat(hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"id\":\"" + gone + "\"}").status()).isEqualTo(201);
        assertThat(store.countChunks(goneId)).isZero();
        String againKey = newKey(gone);
        assertThat(hub.get("/api/v1/documents", againKey).json().get("items")).isEmpty();
        assertThat(hub.get("/api/v1/budget", againKey).json().get("embeddingTokensThisMonth").asLong()).isZero();
        assertThat(hub.get("/api/v1/quarantine", againKey).json().get("items")).isEmpty();
        // the erased tenant's usage stays in the ledger (the operator's report above), never in the new one's
        assertThat(hub.get("/api/v1/usage", againKey).json().get("rows")).isEmpty();
        assertThat(hub.get("/api/v1/usage?groupBy=day", againKey).json().get("rows")).isEmpty();
        awaitStatus(againKey, addText(againKey, "Fresh", "The new tenant's first document about lighthouses."),
                "indexed");
        JsonNode fresh = hub.get("/api/v1/usage", againKey).json().get("rows");
        assertThat(fresh).hasSize(1);
        assertThat(fresh.get(0).get("requests").asLong()).as("its own one embedding call").isOne();
        assertThat(hub.delete("/admin/v1/tenants/no-such-tenant", ADMIN_TOKEN).code()).isEqualTo("tenant_not_found");
    }

    /**
     * A write of the tenant still in flight when erasure runs (a document accepted by a request authenticated just
     * before the keys went, an index worker's reservation) is fenced: erasure waits for its transaction to end and
     * then removes what it wrote, and a write after the erasure is refused with {@link TenantNotFoundException}.
     * The write in flight is a tenant transaction held open on another thread, as the intake's would be
     * (another replica's write: {@code PostgresModeTest}).
     */
    @Test
    void aWriteInFlightWhileItsTenantIsErasedLeavesNothingBehind() throws Exception {
        String gone = newTenant("racing");
        String goneKey = newKey(gone);
        TenantId goneId = TenantId.of(gone);
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> writer = threads.submit(() -> transactions.run(goneId, () -> {
                OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                jdbc.sql("""
                        INSERT INTO documents (tenant_id, document_id, title, source_type, content_type, status,
                                               chunks, created_at, updated_at)
                        VALUES (:t, 'doc_in_flight', 'In flight', 'upload', 'text/plain', 'queued', 0, :now, :now)""")
                        .param("t", gone).param("now", now).update();
                written.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> commit.getCount() == 0);
            }));
            assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
            Future<HubClient.Response> erasure = threads.submit(() -> hub.delete("/admin/v1/tenants/" + gone,
                    ADMIN_TOKEN));
            // unfenced, the erasure would be over before the write commits
            await().atMost(Duration.ofSeconds(30)).until(() -> erasure.isDone() || transactions.erasureWaiting(goneId));
            assertThat(erasure).isNotDone();
            commit.countDown();
            writer.get(30, TimeUnit.SECONDS);
            HubClient.Response erased = erasure.get(30, TimeUnit.SECONDS);
            assertThat(erased.status()).as(erased.text()).isEqualTo(200);
        } finally {
            commit.countDown();
            threads.shutdownNow();
        }
        assertThat(rowsOf(gone)).as("rows left of the erased tenant").isEmpty();

        // a write for the erased tenant now fails on its key, with a clear error, and leaves no row
        assertThatThrownBy(() -> budgets.reserve(goneId, Budget.EMBEDDING_MONTHLY, 10))
                .isInstanceOf(TenantNotFoundException.class).hasMessageContaining(gone);
        assertThat(rowsOf(gone)).as("rows left of the erased tenant").isEmpty();
        assertThat(hub.get("/api/v1/documents", goneKey).status()).isEqualTo(401);
    }

    /**
     * The tenant's rows in every table that has a {@code tenant_id} column (found in the schema, so a table added
     * later is covered too), as the stored rows are (PostgreSQL: the superuser, no row-level security); tables
     * without any row of it are left out.
     */
    private Map<String, Integer> rowsOf(String tenant) {
        JdbcClient rows = storedRows();
        List<String> tables = rows.sql("""
                SELECT table_name FROM information_schema.columns
                WHERE LOWER(table_schema) = 'public' AND LOWER(column_name) = 'tenant_id'""")
                .query(String.class).list();
        assertThat(tables).extracting(t -> t.toLowerCase(Locale.ROOT))
                .contains("documents", "api_keys", "tenant_secrets", "quarantine", "usage_events");
        Map<String, Integer> found = new TreeMap<>();
        for (String table : tables) {
            int count = rows.sql("SELECT COUNT(*) FROM " + table + " WHERE tenant_id = :t").param("t", tenant)
                    .query(Integer.class).single();
            if (count > 0) {
                found.put(table.toLowerCase(Locale.ROOT), count);
            }
        }
        return found;
    }
}
