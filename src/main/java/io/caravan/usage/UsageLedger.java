package io.caravan.usage;

import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantTransactions;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The usage ledger: every chat and embedding call as an event row, plus a daily rollup per tenant, kind,
 * provider and model that the reports read. Event and rollup are written in one transaction (the caller's, if
 * it has one), so the rollup always equals the sum of the events.
 */
@Service
public class UsageLedger {

    /** A rollup row can be raced at most by the concurrent creators of that same row; this bounds the retries. */
    private static final int ROLLUP_ATTEMPTS = 3;

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final TenantMetrics metrics;

    public UsageLedger(JdbcClient jdbc, TenantTransactions transactions, TenantMetrics metrics) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.metrics = metrics;
    }

    /**
     * Records one event and adds it to its UTC day's rollup. Joins the caller's transaction if there is one, so
     * the usage commits (or rolls back) with the caller's work; the token counters move only after the commit.
     */
    public void record(UsageEvent event) {
        transactions.run(event.tenant(), () -> {
            insertEvent(event);
            addToRollup(event);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    count(event);
                }
            });
        });
    }

    private void insertEvent(UsageEvent event) {
        jdbc.sql("""
                INSERT INTO usage_events (tenant_id, occurred_at, kind, provider, model, prompt_tokens,
                                          completion_tokens, embedding_tokens, request_id)
                VALUES (:tenant, :at, :kind, :provider, :model, :prompt, :completion, :embedding, :requestId)""")
                .param("tenant", event.tenant().value())
                .param("at", OffsetDateTime.ofInstant(event.at(), ZoneOffset.UTC))
                .param("kind", event.kind().wire())
                .param("provider", event.provider())
                .param("model", event.model())
                .param("prompt", event.promptTokens())
                .param("completion", event.completionTokens())
                .param("embedding", event.embeddingTokens())
                .param("requestId", event.requestId())
                .update();
    }

    /** UPDATE the day's row; when there is none, INSERT it under a savepoint and, if another caller won, UPDATE. */
    private void addToRollup(UsageEvent event) {
        for (int attempt = 1; attempt <= ROLLUP_ATTEMPTS; attempt++) {
            if (incrementRollup(event) > 0) {
                return;
            }
            try {
                // a savepoint: a failed INSERT is undone alone (PostgreSQL aborts the whole transaction otherwise)
                transactions.attempt(event.tenant(), () -> insertRollup(event));
                return;
            } catch (DuplicateKeyException concurrentInsert) {
                // another transaction created the row meanwhile and has committed: the next UPDATE finds it
            }
        }
        throw new IllegalStateException("could not add usage to the rollup of tenant " + event.tenant() + " on "
                + event.day() + " after " + ROLLUP_ATTEMPTS + " attempts");
    }

    private int incrementRollup(UsageEvent event) {
        return jdbc.sql("""
                UPDATE usage_daily SET requests = requests + 1, prompt_tokens = prompt_tokens + :prompt,
                       completion_tokens = completion_tokens + :completion,
                       embedding_tokens = embedding_tokens + :embedding
                WHERE tenant_id = :tenant AND usage_day = :day AND kind = :kind AND provider = :provider
                  AND model = :model""")
                .param("prompt", event.promptTokens())
                .param("completion", event.completionTokens())
                .param("embedding", event.embeddingTokens())
                .param("tenant", event.tenant().value())
                .param("day", event.day())
                .param("kind", event.kind().wire())
                .param("provider", event.provider())
                .param("model", event.model())
                .update();
    }

    private int insertRollup(UsageEvent event) {
        return jdbc.sql("""
                INSERT INTO usage_daily (tenant_id, usage_day, kind, provider, model, requests, prompt_tokens,
                                         completion_tokens, embedding_tokens)
                VALUES (:tenant, :day, :kind, :provider, :model, 1, :prompt, :completion, :embedding)""")
                .param("tenant", event.tenant().value())
                .param("day", event.day())
                .param("kind", event.kind().wire())
                .param("provider", event.provider())
                .param("model", event.model())
                .param("prompt", event.promptTokens())
                .param("completion", event.completionTokens())
                .param("embedding", event.embeddingTokens())
                .update();
    }

    private void count(UsageEvent event) {
        switch (event.kind()) {
            case CHAT -> {
                metrics.llmTokens(event.tenant(), event.provider(), event.model(), "prompt", event.promptTokens());
                metrics.llmTokens(event.tenant(), event.provider(), event.model(), "completion",
                        event.completionTokens());
            }
            case EMBEDDING -> metrics.llmTokens(event.tenant(), event.provider(), event.model(), "embedding",
                    event.embeddingTokens());
        }
    }
}
