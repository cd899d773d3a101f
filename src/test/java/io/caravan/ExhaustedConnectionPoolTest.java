package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import io.caravan.usage.Budget;
import io.caravan.usage.BudgetAlerts;
import io.caravan.usage.TokenBudgets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The hub with a connection pool of two, which the tests exhaust on purpose. */
class ExhaustedConnectionPoolTest extends HubTest {

    @Autowired
    TokenBudgets budgets;
    @Autowired
    BudgetAlerts alerts;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    DataSource dataSource;

    @DynamicPropertySource
    static void twoPooledConnections(DynamicPropertyRegistry registry) {
        // a context of its own (another pool): its own data dir too, so two hubs never share files
        registry.add("caravan.data-dir", () -> tempDir().toString());
        // two: start-up (Flyway) needs both
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "2");
        registry.add("spring.datasource.hikari.connection-timeout", () -> "2000");
    }

    /**
     * A usage commit's budget check never needs a second pooled connection while its own transaction still holds
     * one: with a single connection left the alert still fires (checked inside the commit's completion, it waited
     * for a connection its own thread held until the pool gave up, and the alert was lost; enough concurrent
     * usage commits did that to the whole pool).
     */
    @Test
    void aBudgetCheckWaitsForTheUsageTransactionsConnection() throws SQLException {
        TenantId tenant = TenantId.of(newTenant("pool"));
        assertThat(hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"budgets\":{\"llmTokensPerDay\":100}}").status()).isEqualTo(200);

        try (Connection held = dataSource.getConnection()) {
            assertThat(held.isValid(1)).isTrue();
            budgets.commit(budgets.reserve(tenant, Budget.LLM_DAILY, 85), 85);
        }

        await().atMost(Duration.ofSeconds(20)).until(alerts::idle);
        assertThat(fired(tenant)).containsExactly("0.8");
    }

    /** A key the edge cannot look up, because the database cannot be reached, is a retryable problem+json. */
    @Test
    void aKeyThatCannotBeLookedUpIs503ProblemJson() throws SQLException {
        String unknownKey = "cvn_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection one = dataSource.getConnection(); Connection two = dataSource.getConnection()) {
            assertThat(one.isValid(1) && two.isValid(1)).isTrue();
            HubClient.Response api = hub.get("/api/v1/documents", unknownKey);
            assertThat(api.status()).as(api.text()).isEqualTo(503);
            assertThat(api.contentType()).startsWith("application/problem+json");
            assertThat(api.code()).isEqualTo("upstream_unavailable");
            HubClient.Response admin = hub.get("/admin/v1/tenants", unknownKey);
            assertThat(admin.status()).as(admin.text()).isEqualTo(503);
            assertThat(admin.code()).isEqualTo("upstream_unavailable");
        }
        // the pool is back: the same key is simply unknown
        HubClient.Response after = hub.get("/api/v1/documents", unknownKey);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.code()).isEqualTo("unauthenticated");
    }

    private List<String> fired(TenantId tenant) {
        return jdbc.sql("SELECT threshold FROM budget_alerts WHERE tenant_id = :t ORDER BY threshold")
                .param("t", tenant.value())
                .query((rs, row) -> rs.getString("threshold"))
                .list();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("caravan-pool-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
