package io.caravan.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.embedding.TextEmbedder;
import io.caravan.embedding.TokenCounter;
import io.caravan.observability.TenantMetrics;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every question embedded for a query is an embedding call in the usage ledger (issue 5: every chat and embedding
 * call writes a usage event), with the tokens the model saw; a cached answer embeds nothing and records nothing.
 */
class QuestionUsageTest extends HubTest {

    @Autowired
    UsageLedger ledger;
    @Autowired
    TenantTransactions transactions;
    @Autowired
    TokenCounter tokens;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TenantMetrics metrics;

    @Test
    void eachEmbeddedQuestionIsOneEmbeddingEventOfItsTokens() {
        String tenant = newTenant("asking");
        String key = newKey(tenant);
        awaitStatus(key, addText(key, "Harbour", "The harbour master logs every ship that docks after dusk."), "indexed");
        int before = questionEvents(tenant).size();

        String first = "Who logs the ships that dock after dusk?";
        ask(key, first);
        await().atMost(Duration.ofSeconds(10)).until(() -> questionEvents(tenant).size() == before + 1);
        assertThat(questionEvents(tenant).get(before)).isEqualTo((long) tokens.count(first));

        ask(key, first); // answered from the cache: not embedded
        String second = "When do the ships dock?";
        ask(key, second);
        // the writer keeps the order of the questions: once the second is in, nothing of the cache hit can follow
        await().atMost(Duration.ofSeconds(10)).until(() -> questionEvents(tenant).size() >= before + 2);
        assertThat(questionEvents(tenant)).hasSize(before + 2);
        assertThat(questionEvents(tenant).get(before + 1)).isEqualTo((long) tokens.count(second));
    }

    /**
     * Nothing handed over is dropped: with room for one question, the callers record the others themselves, and
     * closing writes what is left. A long question counts as far as the model reads it; a tenant erased meanwhile
     * still has its questions recorded (the ledger outlives its tenants).
     */
    @Test
    void closingWritesEveryQuestionHandedOverEvenOfAnErasedTenant() throws Exception {
        TenantId tenant = TenantId.of(newTenant("closing"));
        TenantId erased = TenantId.of(newTenant("erased-asker"));
        assertThat(hub.delete("/admin/v1/tenants/" + erased.value(), ADMIN_TOKEN).status()).isEqualTo(200);
        QuestionUsage usage = new QuestionUsage(ledger, transactions, tokens, Clock.systemUTC(), 1);
        String longQuestion = "why ".repeat(400);
        for (int i = 0; i < 20; i++) {
            usage.embedded(tenant, i == 0 ? longQuestion : "question " + i, "closing-" + i);
            usage.embedded(erased, "question " + i, "erased-" + i);
        }
        usage.close();

        List<String> recorded = storedRows().sql(
                        "SELECT request_id FROM usage_events WHERE tenant_id = :t AND request_id LIKE 'closing-%'")
                .param("t", tenant.value()).query(String.class).list();
        assertThat(recorded).hasSize(20).doesNotHaveDuplicates();
        assertThat(storedRows().sql(
                        "SELECT embedding_tokens FROM usage_events WHERE tenant_id = :t AND request_id = 'closing-0'")
                .param("t", tenant.value()).query(Long.class).single()).isEqualTo(TextEmbedder.MAX_TOKENS - 2L);
        assertThat(storedRows().sql("SELECT COUNT(*) FROM usage_events WHERE tenant_id = :t")
                .param("t", erased.value()).query(Integer.class).single()).isEqualTo(20);
    }

    /**
     * A tenant whose write fails is retried on its own: the other tenants' questions of the same batch are written
     * once, never again with the retries, and the failing tenant's are written once it recovers.
     */
    @Test
    void aTenantWhoseWriteFailsIsRetriedAloneAndNobodyIsWrittenTwice() throws Exception {
        TenantId flaky = TenantId.of(newTenant("flaky"));
        TenantId steady = TenantId.of(newTenant("steady"));
        AtomicInteger failuresLeft = new AtomicInteger(2);
        UsageLedger failing = new UsageLedger(jdbc, transactions, metrics) {
            @Override
            public void record(UsageEvent event) {
                if (event.tenant().equals(flaky) && failuresLeft.getAndDecrement() > 0) {
                    throw new IllegalStateException("the database hiccups");
                }
                super.record(event);
            }
        };
        QuestionUsage usage = new QuestionUsage(failing, transactions, tokens, Clock.systemUTC(), 100);
        try {
            usage.embedded(flaky, "flaky one", "retry-f1");
            usage.embedded(steady, "steady one", "retry-s1");
            usage.embedded(steady, "steady two", "retry-s2");
            await().atMost(Duration.ofSeconds(10)).until(() -> requestIds("retry-%").size() >= 3);
        } finally {
            usage.close();
        }
        assertThat(requestIds("retry-%")).containsExactlyInAnyOrder("retry-f1", "retry-s1", "retry-s2");
        assertThat(failuresLeft.get()).isNegative(); // it did fail twice before it was written
    }

    private List<String> requestIds(String pattern) {
        return storedRows().sql("SELECT request_id FROM usage_events WHERE request_id LIKE :p")
                .param("p", pattern).query(String.class).list();
    }

    @Test
    void aQuestionWithoutATenantIsRefusedAtOnce() throws Exception {
        QuestionUsage usage = new QuestionUsage(ledger, transactions, tokens, Clock.systemUTC(), 10);
        try {
            assertThatThrownBy(() -> usage.embedded(null, "whose question?", "no-tenant"))
                    .isInstanceOf(MissingTenantException.class);
        } finally {
            usage.close();
        }
        assertThat(requestIds("no-tenant")).isEmpty();
    }

    private void ask(String key, String question) {
        HubClient.Response answer = hub.postJson("/api/v1/query", key, "{\"question\":" + quote(question) + "}");
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    }

    /** The embedding tokens of the tenant's question events (ingestion's carry the document id), in order. */
    private List<Long> questionEvents(String tenant) {
        return storedRows().sql("""
                        SELECT embedding_tokens FROM usage_events
                        WHERE tenant_id = :t AND kind = 'embedding' AND request_id NOT LIKE 'doc_%' ORDER BY id""")
                .param("t", tenant).query(Long.class).list();
    }
}
