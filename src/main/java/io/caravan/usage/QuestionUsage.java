package io.caravan.usage;

import io.caravan.embedding.TextEmbedder;
import io.caravan.embedding.TokenCounter;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Writes every question embedded for a query into the usage ledger (an embedding call of the in-process model,
 * its tokens counted with the model's tokenizer), off the query's path: a query only hands the question over,
 * and one writer thread records what has gathered, one transaction per tenant. When the writer falls
 * {@code caravan.usage.question-queue} questions behind, the query records its own, so nothing is dropped for
 * lack of room; a failed write is retried with back-off. Closing writes what is left; only a crash can lose the
 * questions of the last moment.
 */
@Component
public class QuestionUsage implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuestionUsage.class);
    private static final String PROVIDER = "in-process";
    private static final int BATCH = 500;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** A question embedded for a query, waiting to be recorded. */
    private record Asked(TenantId tenant, Instant at, String question, String requestId) {
    }

    private final UsageLedger ledger;
    private final TenantTransactions transactions;
    private final TokenCounter tokens;
    private final Clock clock;
    private final BlockingQueue<Asked> waiting;
    private final Thread writer;
    private volatile boolean closing;

    public QuestionUsage(UsageLedger ledger, TenantTransactions transactions, TokenCounter tokens, Clock clock,
                         @Value("${caravan.usage.question-queue:10000}") int capacity) {
        this.ledger = ledger;
        this.transactions = transactions;
        this.tokens = tokens;
        this.clock = clock;
        this.waiting = new LinkedBlockingQueue<>(capacity);
        CustomizableThreadFactory factory = new CustomizableThreadFactory("usage-questions-");
        factory.setDaemon(true);
        this.writer = factory.newThread(this::drain);
        writer.start();
    }

    /** Records (soon) that the tenant's question was embedded for the query {@code requestId}. */
    public void embedded(TenantId tenant, String question, String requestId) {
        Asked asked = new Asked(tenant, clock.instant(), question, requestId);
        if (closing || !waiting.offer(asked)) {
            write(List.of(asked)); // the writer is behind (or gone): this query records its own
        }
    }

    private void drain() {
        List<Asked> batch = new ArrayList<>(BATCH);
        Duration backoff = Duration.ofMillis(100);
        while (!closing || !waiting.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Asked first = waiting.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    waiting.drainTo(batch, BATCH - 1);
                }
                write(batch);
                batch.clear();
                backoff = Duration.ofMillis(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                if (closing) {
                    LOG.error("Could not record the usage of {} question(s) while closing: {}", batch.size(),
                            e.toString());
                    batch.clear();
                    continue;
                }
                LOG.warn("Could not record the usage of {} question(s), retrying in {} ms: {}", batch.size(),
                        backoff.toMillis(), e.toString());
                try {
                    Thread.sleep(backoff.toMillis()); // back-off of a background writer, not a test wait
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * One transaction per tenant. A tenant erased meanwhile still gets its questions recorded: they were
     * embedded, and the ledger outlives its tenants.
     */
    private void write(List<Asked> batch) {
        Map<TenantId, List<Asked>> byTenant = new LinkedHashMap<>();
        batch.forEach(asked -> byTenant.computeIfAbsent(asked.tenant(), t -> new ArrayList<>()).add(asked));
        byTenant.forEach((tenant, asked) -> transactions.run(tenant, () -> asked.forEach(a -> ledger.record(
                UsageEvent.embedding(tenant, a.at(), PROVIDER, TextEmbedder.MODEL, embeddedTokens(a.question()),
                        a.requestId())))));
    }

    /** The tokens the model saw: the question's, up to its window less [CLS] and [SEP] (it truncates beyond). */
    private long embeddedTokens(String question) {
        return Math.min(tokens.count(question), TextEmbedder.MAX_TOKENS - 2);
    }

    /**
     * Writes what is waiting, then stops the writer. Spring closes it after the web server has stopped taking
     * requests, so what a last query handed over after the writer ended is written here.
     */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        writer.join(Duration.ofSeconds(30).toMillis());
        if (writer.isAlive()) {
            LOG.error("The usage of {} question(s) could not be written before shutdown", waiting.size());
            writer.interrupt();
            return;
        }
        List<Asked> rest = new ArrayList<>();
        waiting.drainTo(rest);
        if (!rest.isEmpty()) {
            write(rest);
        }
    }
}
