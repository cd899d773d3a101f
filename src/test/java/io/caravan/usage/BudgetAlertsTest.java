package io.caravan.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.caravan.observability.TenantMetrics;
import io.caravan.secrets.TenantSecrets;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import io.caravan.tenancy.TenantTransactions;

/** Budget alerts fire exactly once per threshold and period, as a metric and a signed webhook call. */
class BudgetAlertsTest extends HubTest {

    private record Call(String signature, byte[] body) {
    }

    @Autowired
    JdbcClient jdbc;
    @Autowired
    TenantTransactions transactions;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    TenantRegistry tenants;
    @Autowired
    TenantSecrets secrets;
    @Autowired
    TenantMetrics metrics;
    @Autowired
    ObjectMapper json;
    @Autowired
    BudgetAlerts alerts;

    private HttpServer webhook;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startWebhook() throws IOException {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            calls.add(new Call(exchange.getRequestHeaders().getFirst(BudgetAlerts.SIGNATURE_HEADER),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
    }

    @AfterEach
    void stopWebhook() {
        webhook.stop(0);
    }

    @Test
    void embeddingUsageCrossingThresholdsAlertsOnceEachWithASignedWebhook() throws IOException {
        String tenant = newTenant("alerts");
        String key = newKey(tenant);
        hub.putJson("/admin/v1/tenants/" + tenant + "/secrets/" + BudgetAlerts.SIGNING_SECRET, ADMIN_TOKEN,
                "{\"value\":\"hook-signing-key\"}");
        HubClient.Response config = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"budgets\":{\"embeddingTokensPerMonth\":30,\"alertThresholds\":[0.3,1.0],"
                        + "\"alertWebhookUrl\":\"http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook\"}}");
        assertThat(config.status()).as(config.text()).isEqualTo(200);

        awaitStatus(key, addText(key, "One", "Twelve tokens or so in this first little document."), "indexed");
        await().atMost(Duration.ofSeconds(20)).until(() -> calls.size() == 1);
        awaitStatus(key, addText(key, "Two", "A second small one."), "indexed");
        // then a document that does not fit: the budget is reached, the 1.0 alert fires
        awaitStatus(key, addText(key, "Three", "This third document is far too long for what is left of the "
                + "monthly embedding budget of this tenant, so it must wait."), "quarantined");
        await().atMost(Duration.ofSeconds(20)).until(() -> calls.size() == 2);

        JsonNode first = json.readTree(calls.get(0).body());
        JsonNode second = json.readTree(calls.get(1).body());
        assertThat(first.get("threshold").asDouble()).isEqualTo(0.3);
        assertThat(second.get("threshold").asDouble()).isEqualTo(1.0);
        assertThat(first.get("tenant").asText()).isEqualTo(tenant);
        assertThat(first.get("budget").asText()).isEqualTo("embedding_monthly");
        for (Call call : calls) {
            assertThat(call.signature()).isEqualTo("sha256=" + BudgetAlerts.hmac("hook-signing-key", call.body()));
        }
        String scrape = hub.get("/actuator/prometheus", null).text();
        assertThat(scrape).contains("rag_budget_alerts_total{application=\"caravan\",budget=\"embedding_monthly\","
                + "tenant_id=\"" + tenant + "\",threshold=\"0.3\"} 1.0");
        assertThat(scrape).contains("rag_budget_alerts_total{application=\"caravan\",budget=\"embedding_monthly\","
                + "tenant_id=\"" + tenant + "\",threshold=\"1.0\"} 1.0");
        // more refusals in the same month add no alert
        awaitStatus(key, addText(key, "Four", "Yet another document that cannot fit into what remains of the spent "
                + "budget, because it is clearly longer than the few tokens that are left over."),
                "quarantined");
        await().atMost(Duration.ofSeconds(20)).until(alerts::idle); // its check has run
        assertThat(fired(TenantId.of(tenant))).as("alerts claimed").hasSize(2);
        assertThat(calls).hasSize(2);
    }

    @Test
    void aNewDayStartsNewAlerts() {
        TenantId tenant = tenantWithDailyBudget("daily");
        Clock day1 = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
        Clock day2 = Clock.fixed(Instant.parse("2026-03-02T10:00:00Z"), ZoneOffset.UTC);
        ApplicationEventPublisher noEvents = event -> { };

        TokenBudgets budgets1 = new TokenBudgets(jdbc, transactions, day1, noEvents);
        BudgetAlerts alerts1 = alertsOn(budgets1, tenants, day1);
        budgets1.commit(budgets1.reserve(tenant, Budget.LLM_DAILY, 85), 85);
        alerts1.check(tenant, Budget.LLM_DAILY, false);
        alerts1.check(tenant, Budget.LLM_DAILY, false);
        assertThat(fired(tenant)).containsExactly("2026-03-01:0.8");

        TokenBudgets budgets2 = new TokenBudgets(jdbc, transactions, day2, noEvents);
        BudgetAlerts alerts2 = alertsOn(budgets2, tenants, day2);
        alerts2.check(tenant, Budget.LLM_DAILY, false);
        assertThat(fired(tenant)).as("a new day starts with nothing used").hasSize(1);
        budgets2.commit(budgets2.reserve(tenant, Budget.LLM_DAILY, 100), 100);
        alerts2.check(tenant, Budget.LLM_DAILY, false);
        assertThat(fired(tenant)).containsExactly("2026-03-01:0.8", "2026-03-02:0.8", "2026-03-02:1.0");
    }

    @Test
    void aCheckRunAfterMidnightLooksAtThePeriodTheUsageCountedIn() {
        TenantId tenant = tenantWithDailyBudget("midnight");
        Clock lateOnDay1 = Clock.fixed(Instant.parse("2026-04-01T23:59:59Z"), ZoneOffset.UTC);
        Clock day2 = Clock.fixed(Instant.parse("2026-04-02T00:00:01Z"), ZoneOffset.UTC);
        TokenBudgets budgets = new TokenBudgets(jdbc, transactions, lateOnDay1, event -> { });
        budgets.commit(budgets.reserve(tenant, Budget.LLM_DAILY, 90), 90);

        // the usage event of 23:59:59 checked at 00:00:01: day 1 crossed 0.8, day 2 has used nothing
        try (BudgetAlerts afterMidnight = alertsOn(new TokenBudgets(jdbc, transactions, day2, event -> { }), tenants,
                day2)) {
            afterMidnight.onUsage(new TokenBudgets.UsageCommitted(tenant, Budget.LLM_DAILY,
                    Budget.LLM_DAILY.period(lateOnDay1.instant()), false));
            await().atMost(Duration.ofSeconds(20)).until(afterMidnight::idle);
        }
        assertThat(fired(tenant)).containsExactly("2026-04-01:0.8");
    }

    @Test
    void anErasedTenantGetsNoAlertAndTheCheckDoesNotFail() {
        TenantId tenant = tenantWithDailyBudget("erased");
        // another replica, whose cached config outlives the erasure made through this one
        TenantRegistry otherReplica = new TenantRegistry(jdbc, json, Clock.systemUTC(), Duration.ofHours(1),
                event -> { }, transactions);
        assertThat(otherReplica.config(tenant).budgets().llmTokensPerDay()).isEqualTo(100L);
        TokenBudgets budgets = new TokenBudgets(jdbc, transactions, Clock.systemUTC(), event -> { });
        BudgetAlerts here = alertsOn(budgets, tenants, Clock.systemUTC());
        BudgetAlerts there = alertsOn(budgets, otherReplica, Clock.systemUTC());
        assertThat(hub.delete("/admin/v1/tenants/" + tenant, ADMIN_TOKEN).status()).isEqualTo(200);

        // a usage commit racing the erasure, exhausted, so no usage read stops it before the claim: here the
        // config is gone; there the claim is refused by the foreign key. Neither fails nor alerts.
        here.check(tenant, Budget.LLM_DAILY, true);
        there.check(tenant, Budget.LLM_DAILY, true);
        assertThat(fired(tenant)).isEmpty();
    }

    private TenantId tenantWithDailyBudget(String prefix) {
        TenantId tenant = TenantId.of(newTenant(prefix));
        assertThat(hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"budgets\":{\"llmTokensPerDay\":100}}").status()).isEqualTo(200);
        return tenant;
    }

    /** Alerts of their own, on the given budgets, registry (a replica's view) and clock. */
    private BudgetAlerts alertsOn(TokenBudgets budgets, TenantRegistry registry, Clock clock) {
        return new BudgetAlerts(budgets, registry, secrets, metrics, jdbc, transactions, transactionManager, json,
                clock);
    }

    private List<String> fired(TenantId tenant) {
        return jdbc.sql("SELECT period, threshold FROM budget_alerts WHERE tenant_id = :t ORDER BY period, threshold")
                .param("t", tenant.value())
                .query((rs, row) -> rs.getString("period") + ":" + rs.getString("threshold"))
                .list();
    }
}
