package io.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.embedding.TextEmbedder;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import io.caravan.usage.UsageEvent;
import io.caravan.usage.UsageLedger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/** {@code /api/v1/usage} and {@code /admin/v1/usage} over real HTTP. */
class UsageApiTest extends HubTest {

    /** A day of its own, so the rows other test classes record elsewhere in the shared database stay out. */
    private static final LocalDate DAY = LocalDate.of(2024, 5, 1);
    private static final Instant NOON = DAY.atTime(12, 0).toInstant(ZoneOffset.UTC);

    @Autowired
    UsageLedger ledger;
    @Autowired
    WebApplicationContext web;

    @Test
    void embeddingUsageAppearsOnceADocumentIsIndexed() {
        String tenant = newTenant("usage-embed");
        String key = newKey(tenant);
        String documentId = addText(key, "Returns", "Acme accepts returns within 30 days of delivery.");
        awaitStatus(key, documentId, "indexed");

        HubClient.Response usage = hub.get("/api/v1/usage", key);
        assertThat(usage.status()).as(usage.text()).isEqualTo(200);
        long embedded = hub.get("/api/v1/budget", key).json().path("embeddingTokensThisMonth").asLong();
        assertThat(embedded).isPositive();
        JsonNode rows = usage.json().path("rows");
        assertThat(rows).hasSize(1);
        JsonNode row = rows.get(0);
        assertThat(row.path("kind").asText()).isEqualTo("embedding");
        assertThat(row.path("provider").asText()).isEqualTo("in-process");
        assertThat(row.path("model").asText()).isEqualTo(TextEmbedder.MODEL);
        assertThat(row.path("requests").asLong()).isEqualTo(1);
        assertThat(row.path("embeddingTokens").asLong()).isEqualTo(embedded);
        assertThat(row.path("totalTokens").asLong()).isEqualTo(embedded);
        assertThat(row.has("day")).as("day only when grouped by day").isFalse();

        JsonNode byDay = hub.get("/api/v1/usage?groupBy=day", key).json();
        String day = byDay.path("rows").get(0).path("day").asText();
        assertThat(LocalDate.parse(day)).isBetween(LocalDate.parse(byDay.path("from").asText()),
                LocalDate.parse(byDay.path("to").asText()));

        String scrape = hub.get("/actuator/prometheus", null).text();
        assertThat(scrape.lines().filter(line -> line.startsWith("rag_llm_tokens_total{")
                && line.contains("tenant_id=\"" + tenant + "\"") && line.contains("kind=\"embedding\"")
                && line.contains("llm_provider=\"in-process\""))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))))
                .containsExactly((double) embedded);
    }

    @Test
    void aTenantSeesOnlyItsOwnUsage() {
        String a = newTenant("usage-a");
        String b = newTenant("usage-b");
        String keyA = newKey(a);
        String keyB = newKey(b);
        // now, not on a fixed day: a tenant sees only the usage of its own lifetime (not an erased namesake's)
        Instant now = Instant.now();
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        ledger.record(UsageEvent.chat(TenantId.of(a), now, "openai", "gpt-4o-mini", 100, 10, "qa-1"));
        ledger.record(UsageEvent.chat(TenantId.of(a), now, "openai", "gpt-4o-mini", 50, 5, "qa-2"));
        ledger.record(UsageEvent.chat(TenantId.of(b), now, "anthropic", "claude-3-5-haiku", 7000, 700, "qb-1"));

        HubClient.Response forA = hub.get("/api/v1/usage?from=" + today + "&to=" + today + "&tenant=" + b, keyA);
        assertThat(forA.status()).as(forA.text()).isEqualTo(200);
        assertThat(forA.field("tenant")).isEqualTo(a);
        assertThat(forA.field("from")).isEqualTo(today.toString());
        assertThat(forA.field("to")).isEqualTo(today.toString());
        assertThat(forA.json().path("rows")).hasSize(1);
        JsonNode row = forA.json().path("rows").get(0);
        assertThat(row.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(row.path("requests").asLong()).isEqualTo(2);
        assertThat(row.path("promptTokens").asLong()).isEqualTo(150);
        assertThat(row.path("completionTokens").asLong()).isEqualTo(15);
        assertThat(row.path("totalTokens").asLong()).isEqualTo(165);
        assertThat(forA.text()).doesNotContain("claude").doesNotContain(b);

        HubClient.Response forB = hub.get("/api/v1/usage?from=" + today + "&to=" + today + "&groupBy=day", keyB);
        assertThat(forB.json().path("rows")).hasSize(1);
        assertThat(forB.json().path("rows").get(0).path("day").asText()).isEqualTo(today.toString());
        assertThat(forB.json().path("rows").get(0).path("totalTokens").asLong()).isEqualTo(7700);
        assertThat(forB.text()).doesNotContain("gpt-4o-mini");

        // the days after a tenant's creation day come from the daily rollups (the creation day from its events)
        LocalDate tomorrow = today.plusDays(1);
        ledger.record(UsageEvent.chat(TenantId.of(a), now.plus(Duration.ofDays(1)), "openai", "gpt-4o-mini", 1, 1,
                "qa-3"));
        JsonNode days = hub.get("/api/v1/usage?from=" + today + "&to=" + tomorrow + "&groupBy=day", keyA).json();
        assertThat(days.path("rows")).hasSize(2);
        assertThat(days.path("rows").get(0).path("day").asText()).isEqualTo(today.toString());
        assertThat(days.path("rows").get(0).path("totalTokens").asLong()).isEqualTo(165);
        assertThat(days.path("rows").get(1).path("day").asText()).isEqualTo(tomorrow.toString());
        assertThat(days.path("rows").get(1).path("totalTokens").asLong()).isEqualTo(2);
    }

    @Test
    void theAdminReportSpansTenantsAndNeedsTheAdminToken() {
        String a = newTenant("usage-adm-a");
        String b = newTenant("usage-adm-b");
        ledger.record(UsageEvent.chat(TenantId.of(a), NOON, "openai", "gpt-4o-mini", 11, 1, "q1"));
        ledger.record(UsageEvent.embedding(TenantId.of(b), NOON, "in-process", TextEmbedder.MODEL, 22, "doc_1"));

        HubClient.Response report = hub.get("/admin/v1/usage?from=" + DAY + "&to=" + DAY + "&groupBy=tenant,model",
                ADMIN_TOKEN);
        assertThat(report.status()).as(report.text()).isEqualTo(200);
        List<String> ours = new ArrayList<>();
        report.json().path("rows").forEach(row -> {
            String tenant = row.path("tenant").asText();
            if (tenant.equals(a) || tenant.equals(b)) {
                ours.add(tenant + " " + row.path("model").asText() + " " + row.path("kind").asText() + " "
                        + row.path("totalTokens").asLong());
            }
        });
        assertThat(ours).containsExactly(a + " gpt-4o-mini chat 12", b + " " + TextEmbedder.MODEL + " embedding 22");

        HubClient.Response withTenantKey = hub.get("/admin/v1/usage", newKey(a));
        assertThat(withTenantKey.status()).isEqualTo(403);
        assertThat(withTenantKey.code()).isEqualTo("forbidden");
        assertThat(hub.get("/admin/v1/usage", null).status()).isEqualTo(401);
        assertThat(hub.get("/admin/v1/usage", "not-the-admin-token").status()).isEqualTo(401);
    }

    @Test
    void theAdminHandlerRefusesARequestTheEdgeDidNotAdmit() throws Exception {
        // without the edge filter, as if a route reached the handler around it: the handler's own lock answers
        MockMvc withoutEdge = MockMvcBuilders.webAppContextSetup(web).build();
        withoutEdge.perform(get("/admin/v1/usage")).andExpect(status().isUnauthorized());
        withoutEdge.perform(get("/admin/v1/tenants")).andExpect(status().isUnauthorized());
    }

    @Test
    void badDatesAndGroupingsAre400() {
        String key = newKey(newTenant("usage-bad"));
        for (String query : new String[] {"from=2024-13-01", "from=2024-02-30", "to=05/01/2024", "from=yesterday",
                "from=+12024-01-01", "from=2024-05-02&to=2024-05-01", "from=2020-01-01&to=2024-01-01",
                "groupBy=tenant", "groupBy=MODEL", "groupBy=model,day"}) {
            HubClient.Response response = hub.get("/api/v1/usage?" + query, key);
            assertThat(response.status()).as(query + " -> " + response.text()).isEqualTo(400);
            assertThat(response.code()).isEqualTo("invalid_request");
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        for (String query : new String[] {"groupBy=model", "groupBy=tenant", "from=2024-1-1"}) {
            HubClient.Response response = hub.get("/admin/v1/usage?" + query, ADMIN_TOKEN);
            assertThat(response.status()).as(query + " -> " + response.text()).isEqualTo(400);
            assertThat(response.code()).isEqualTo("invalid_request");
        }
    }

    @Test
    void theDefaultPeriodIsTheLastSevenDaysAndOneDayIsAllowed() {
        String key = newKey(newTenant("usage-default"));
        LocalDate before = LocalDate.now(ZoneOffset.UTC);
        HubClient.Response report = hub.get("/api/v1/usage", key);
        LocalDate after = LocalDate.now(ZoneOffset.UTC);

        assertThat(report.status()).isEqualTo(200);
        LocalDate to = LocalDate.parse(report.field("to"));
        assertThat(to).isBetween(before, after);
        assertThat(LocalDate.parse(report.field("from"))).isEqualTo(to.minusDays(6));
        assertThat(report.json().path("rows")).isEmpty();

        HubClient.Response onlyTo = hub.get("/api/v1/usage?to=2024-05-07", key);
        assertThat(onlyTo.field("from")).isEqualTo("2024-05-01");
        assertThat(hub.get("/api/v1/usage?from=" + DAY + "&to=" + DAY, key).status()).isEqualTo(200);
    }
}
