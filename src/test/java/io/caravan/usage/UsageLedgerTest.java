package io.caravan.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/** The ledger against the real database: rollups always equal the events they were built from. */
class UsageLedgerTest extends HubTest {

    private static final LocalDate DAY_ONE = LocalDate.of(2024, 3, 1);
    private static final String[][] MODELS = {
            {"openai", "gpt-4o-mini"}, {"anthropic", "claude-3-5-haiku"}, {"in-process", "all-minilm-l6-v2-q"}};

    @Autowired
    UsageLedger ledger;
    @Autowired
    UsageReports reports;
    @Autowired
    TransactionTemplate transactions;
    @Autowired
    MeterRegistry meters;

    @Test
    void reportTotalsEqualTheSumOfTheRecordedEvents() {
        TenantId tenant = TenantId.of(newTenant("ledger-sum"));
        List<UsageEvent> events = randomEvents(tenant, 120, new Random(7));
        events.forEach(ledger::record);

        UsagePeriod period = new UsagePeriod(DAY_ONE, DAY_ONE.plusDays(4));
        Map<String, List<Long>> expectedByModel = new TreeMap<>();
        Map<String, List<Long>> expectedByDay = new TreeMap<>();
        for (UsageEvent e : events) {
            add(expectedByModel, e.model() + "|" + e.provider() + "|" + e.kind().wire(), e);
            add(expectedByDay, e.day() + "|" + e.model() + "|" + e.provider() + "|" + e.kind().wire(), e);
        }

        assertThat(totals(reports.ledgerOf(tenant, period, UsageReports.Grouping.MODEL), false))
                .isEqualTo(expectedByModel);
        assertThat(totals(reports.ledgerOf(tenant, period, UsageReports.Grouping.DAY), true))
                .isEqualTo(expectedByDay);
        long allTokens = events.stream().mapToLong(UsageEvent::totalTokens).sum();
        assertThat(reports.ledgerOf(tenant, period, UsageReports.Grouping.MODEL).stream()
                .mapToLong(UsageRow::totalTokens).sum()).isEqualTo(allTokens);
        // a narrower period counts only its days
        assertThat(reports.ledgerOf(tenant, new UsagePeriod(DAY_ONE, DAY_ONE), UsageReports.Grouping.MODEL)
                .stream().mapToLong(UsageRow::requests).sum())
                .isEqualTo(events.stream().filter(e -> e.day().equals(DAY_ONE)).count());
    }

    @Test
    void rollupsMatchADirectAggregationOfTheEventRows() {
        TenantId tenant = TenantId.of(newTenant("ledger-rollup"));
        randomEvents(tenant, 80, new Random(11)).forEach(ledger::record);

        Map<String, List<Long>> fromEvents = new TreeMap<>();
        storedRows().sql("SELECT * FROM usage_events WHERE tenant_id = :tenant").param("tenant", tenant.value())
                .query((rs, row) -> new UsageEvent(TenantId.of(rs.getString("tenant_id")),
                        rs.getObject("occurred_at", OffsetDateTime.class).toInstant(),
                        UsageEvent.Kind.valueOf(rs.getString("kind").toUpperCase(java.util.Locale.ROOT)),
                        rs.getString("provider"), rs.getString("model"), rs.getLong("prompt_tokens"),
                        rs.getLong("completion_tokens"), rs.getLong("embedding_tokens"), rs.getString("request_id")))
                .list()
                .forEach(e -> add(fromEvents, e.day() + "|" + e.kind().wire() + "|" + e.provider() + "|" + e.model(),
                        e));
        Map<String, List<Long>> rollups = new TreeMap<>();
        storedRows().sql("SELECT * FROM usage_daily WHERE tenant_id = :tenant").param("tenant", tenant.value())
                .query((rs, row) -> rollups.put(rs.getObject("usage_day", LocalDate.class) + "|" + rs.getString("kind")
                        + "|" + rs.getString("provider") + "|" + rs.getString("model"), List.of(
                        rs.getLong("requests"), rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"),
                        rs.getLong("embedding_tokens"))))
                .list();

        assertThat(fromEvents).hasSize(15); // 5 days × 3 models
        assertThat(rollups).isEqualTo(fromEvents);
    }

    @Test
    void concurrentFirstEventsOfADayAreAllCounted() throws Exception {
        TenantId tenant = TenantId.of(newTenant("ledger-race"));
        int callers = 24;
        Instant at = DAY_ONE.atTime(12, 0).toInstant(ZoneOffset.UTC);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int n = i;
                Callable<Void> call = () -> {
                    start.await();
                    ledger.record(UsageEvent.chat(tenant, at, "openai", "gpt-4o-mini", 10, n, "q-" + n));
                    return null;
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get();
            }
        } finally {
            pool.shutdownNow();
        }

        List<UsageRow> rows = reports.ledgerOf(tenant, new UsagePeriod(DAY_ONE, DAY_ONE), UsageReports.Grouping.DAY);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).requests()).isEqualTo(callers);
        assertThat(rows.get(0).promptTokens()).isEqualTo(10L * callers);
        assertThat(rows.get(0).completionTokens()).isEqualTo((long) callers * (callers - 1) / 2);
    }

    @Test
    void anEventCommitsAndRollsBackWithTheCallersTransactionAndCountsOnlyWhenCommitted() {
        TenantId tenant = TenantId.of(newTenant("ledger-tx"));
        Instant at = DAY_ONE.atStartOfDay().toInstant(ZoneOffset.UTC);

        transactions.executeWithoutResult(status -> {
            ledger.record(UsageEvent.chat(tenant, at, "openai", "gpt-4o-mini", 100, 20, "rolled-back"));
            status.setRollbackOnly();
        });
        assertThat(eventCount(tenant)).isZero();
        assertThat(reports.ledgerOf(tenant, new UsagePeriod(DAY_ONE, DAY_ONE), UsageReports.Grouping.MODEL))
                .isEmpty();
        assertThat(tokenCounter(tenant, "prompt")).isNull();

        transactions.executeWithoutResult(status ->
                ledger.record(UsageEvent.chat(tenant, at, "openai", "gpt-4o-mini", 100, 20, "committed")));
        assertThat(eventCount(tenant)).isEqualTo(1);
        assertThat(tokenCounter(tenant, "prompt").count()).isEqualTo(100);
        assertThat(tokenCounter(tenant, "completion").count()).isEqualTo(20);
    }

    @Test
    void theLedgerIsKeptWhenTheTenantIsErased() {
        String id = newTenant("ledger-erase");
        TenantId tenant = TenantId.of(id);
        ledger.record(UsageEvent.embedding(tenant, DAY_ONE.atStartOfDay().toInstant(ZoneOffset.UTC), "in-process",
                "all-minilm-l6-v2-q", 42, "doc_1"));

        assertThat(hub.delete("/admin/v1/tenants/" + id, ADMIN_TOKEN).status()).isEqualTo(200);

        assertThat(eventCount(tenant)).isEqualTo(1);
        assertThat(reports.ledgerOf(tenant, new UsagePeriod(DAY_ONE, DAY_ONE), UsageReports.Grouping.MODEL))
                .extracting(UsageRow::embeddingTokens).containsExactly(42L);
    }

    private long eventCount(TenantId tenant) {
        return storedRows().sql("SELECT COUNT(*) FROM usage_events WHERE tenant_id = :tenant").param("tenant", tenant.value())
                .query(Long.class).single();
    }

    private Counter tokenCounter(TenantId tenant, String kind) {
        return meters.find("rag.llm.tokens").tag("tenant_id", tenant.value()).tag("kind", kind).counter();
    }

    /** Events spread over five days from DAY_ONE, across the three models, with any time of day. */
    private static List<UsageEvent> randomEvents(TenantId tenant, int count, Random random) {
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant at = DAY_ONE.plusDays(i % 5).atStartOfDay().toInstant(ZoneOffset.UTC)
                    .plusSeconds(random.nextInt(86_400));
            String[] model = MODELS[(i / 5) % MODELS.length];
            events.add(model[0].equals("in-process")
                    ? UsageEvent.embedding(tenant, at, model[0], model[1], 1 + random.nextInt(500), "doc_" + i)
                    : UsageEvent.chat(tenant, at, model[0], model[1], 1 + random.nextInt(2000), random.nextInt(300),
                    "q_" + i));
        }
        return events;
    }

    private static void add(Map<String, List<Long>> sums, String key, UsageEvent e) {
        List<Long> s = sums.computeIfAbsent(key, k -> new ArrayList<>(List.of(0L, 0L, 0L, 0L)));
        s.set(0, s.get(0) + 1);
        s.set(1, s.get(1) + e.promptTokens());
        s.set(2, s.get(2) + e.completionTokens());
        s.set(3, s.get(3) + e.embeddingTokens());
    }

    /** Report rows as key → [requests, prompt, completion, embedding], to compare with the expected sums. */
    private static Map<String, List<Long>> totals(List<UsageRow> rows, boolean byDay) {
        Map<String, List<Long>> totals = new TreeMap<>();
        for (UsageRow r : rows) {
            String key = (byDay ? r.day() + "|" : "") + r.model() + "|" + r.provider() + "|" + r.kind();
            assertThat(totals.put(key, List.of(r.requests(), r.promptTokens(), r.completionTokens(),
                    r.embeddingTokens()))).as("one row per %s", key).isNull();
        }
        return totals;
    }
}
