package io.caravan.usage;

import io.caravan.embedding.TextEmbedder;
import io.caravan.embedding.TokenCounter;
import io.caravan.observability.TenantMdc;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Writes every question embedded for a query into the usage ledger (an embedding call of the in-process model,
 * its tokens counted with the model's tokenizer), off the query's path: a query only hands the question over,
 * and one writer thread records what gathers within 200 ms, one transaction per tenant. A tenant's questions
 * that cannot be written are retried with back-off, {@code ATTEMPTS} times, without holding up the others or
 * writing anyone twice. When the writer falls {@code caravan.usage.question-queue} questions behind (or has
 * stopped), the query records its own, so nothing is dropped for lack of room; a failure to record never fails
 * the query. Closing writes what is left; only a crash can lose the questions of the last moment.
 */
@Component
public class QuestionUsage implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuestionUsage.class);
    private static final String PROVIDER = "in-process";
    private static final int BATCH = 500;
    private static final int ATTEMPTS = 5;
    private static final Duration GATHER = Duration.ofMillis(200);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

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
        this.writer = factory.newThread(this::run);
        writer.start();
    }

    /** Records (soon) that the tenant's question was embedded for the query {@code requestId} (may be null). */
    public void embedded(TenantId tenant, String question, String requestId) {
        if (tenant == null) {
            throw new MissingTenantException("question usage"); // fail closed, before anything is queued
        }
        Asked asked = new Asked(tenant, clock.instant(), question, requestId);
        if (closing || !writer.isAlive() || !waiting.offer(asked)) {
            writeNow(asked); // the writer is behind (or gone): this query records its own
        } else if (closing && waiting.remove(asked)) {
            writeNow(asked); // closing began meanwhile: the queue may have been emptied for the last time
        }
    }

    private void writeNow(Asked asked) {
        try {
            write(byTenant(List.of(asked)));
        } catch (RuntimeException e) {
            LOG.error("Could not record the usage of a question of tenant {}: {}", asked.tenant(), e.toString());
        }
    }

    private void run() {
        Map<TenantId, List<Asked>> pending = new LinkedHashMap<>();
        Map<TenantId, Integer> failures = new LinkedHashMap<>();
        Duration backoff = FIRST_BACKOFF;
        while (!closing || !waiting.isEmpty() || !pending.isEmpty()) {
            try {
                if (pending.isEmpty()) {
                    Asked first = waiting.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    List<Asked> batch = new ArrayList<>(List.of(first));
                    gather(batch);
                    pending = byTenant(batch);
                }
                write(pending); // removes each tenant's questions once they are committed
                failures.clear();
                backoff = FIRST_BACKOFF;
            } catch (InterruptedException e) {
                closing = true; // the flag is cleared: the loop writes what is left without waiting
            } catch (Throwable e) { // an Error too: the writer must outlive any one batch
                TenantId failed = pending.keySet().stream().findFirst().orElse(null);
                if (failed != null) {
                    MDC.put(TenantMdc.KEY, failed.value()); // the log lines below are about that tenant
                }
                int attempts = failed == null ? 0 : failures.merge(failed, 1, Integer::sum);
                if (failed != null && (closing || attempts >= ATTEMPTS)) {
                    LOG.error("The usage of {} question(s) of tenant {} could not be recorded after {} attempt(s): {}",
                            pending.get(failed).size(), failed, attempts, e.toString());
                    pending.remove(failed);
                    failures.remove(failed);
                    continue;
                }
                LOG.warn("Could not record the usage of {} question(s) of tenant {}, retrying in {} ms: {}",
                        failed == null ? 0 : pending.get(failed).size(), failed, backoff.toMillis(), e.toString());
                if (failed != null) {
                    pending.put(failed, pending.remove(failed)); // last: the other tenants are written first
                }
                pause(backoff);
                backoff = backoff.multipliedBy(2);
            } finally {
                MDC.remove(TenantMdc.KEY);
            }
        }
    }

    /** The back-off of a background writer (not a test's wait); an interrupt ends it and starts closing. */
    private void pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            closing = true;
        }
    }

    /**
     * Adds what arrives within {@code GATHER} of the first question (none while closing): one commit for many
     * questions instead of one each, which on a busy hub would cost a disk write per query.
     */
    private void gather(List<Asked> batch) throws InterruptedException {
        long deadline = System.nanoTime() + GATHER.toNanos();
        waiting.drainTo(batch, BATCH - batch.size());
        while (!closing && batch.size() < BATCH) {
            long left = deadline - System.nanoTime();
            Asked next = left > 0 ? waiting.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
            waiting.drainTo(batch, BATCH - batch.size());
        }
    }

    private static Map<TenantId, List<Asked>> byTenant(List<Asked> batch) {
        Map<TenantId, List<Asked>> byTenant = new LinkedHashMap<>();
        batch.forEach(asked -> byTenant.computeIfAbsent(asked.tenant(), t -> new ArrayList<>()).add(asked));
        return byTenant;
    }

    /**
     * One transaction per tenant, in order; each tenant's questions leave the map once committed, so a failure
     * leaves only the uncommitted ones (the failed tenant first). A tenant erased meanwhile still gets its
     * questions recorded: they were embedded, and the ledger outlives its tenants.
     */
    private void write(Map<TenantId, List<Asked>> pending) {
        for (Iterator<Map.Entry<TenantId, List<Asked>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TenantId, List<Asked>> entry = it.next();
            TenantId tenant = entry.getKey();
            List<UsageEvent> events = new ArrayList<>(entry.getValue().size());
            for (Asked asked : entry.getValue()) {
                try {
                    events.add(UsageEvent.embedding(tenant, asked.at(), PROVIDER, TextEmbedder.MODEL,
                            embeddedTokens(asked.question()), asked.requestId()));
                } catch (RuntimeException e) { // this question only: it could never be recorded
                    try (TenantMdc.Scope ignored = TenantMdc.open(tenant)) {
                        LOG.error("The usage of a question of tenant {} cannot be recorded: {}", tenant, e.toString());
                    }
                }
            }
            try (TenantMdc.Scope ignored = TenantMdc.open(tenant)) { // this thread serves no request: say whose
                transactions.run(tenant, () -> events.forEach(ledger::record));
            }
            it.remove();
        }
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
        // a batch takes milliseconds; longer means the database is gone or hangs, and shutdown must go on
        writer.join(CLOSE_WAIT.toMillis());
        if (writer.isAlive()) {
            LOG.error("The usage of {} question(s) could not be written before shutdown", waiting.size());
            writer.interrupt();
            return;
        }
        List<Asked> rest = new ArrayList<>();
        waiting.drainTo(rest);
        rest.forEach(this::writeNow);
    }
}
