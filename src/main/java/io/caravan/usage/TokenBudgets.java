package io.caravan.usage;

import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantNotFoundException;
import io.caravan.tenancy.TenantTransactions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Atomic token budgets. A reservation is one conditional UPDATE (used + reserved + n must stay within the
 * limit), so concurrent reservations can never jointly exceed it; the database's row lock serialises them,
 * across threads and across hub replicas sharing the database.
 */
@Service
public class TokenBudgets {

    private static final Logger LOG = LoggerFactory.getLogger(TokenBudgets.class);

    /** Tokens held for one piece of work until it is committed or released. */
    public record Reservation(String id, TenantId tenant, Budget budget, String period, long tokens) {
    }

    /** A budget's state in the current period. */
    public record Usage(long used, long reserved, Long limit) {
    }

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final java.time.Instant startedAt;
    private final org.springframework.context.ApplicationEventPublisher events;

    public TokenBudgets(JdbcClient jdbc, TenantTransactions transactions, Clock clock,
                        org.springframework.context.ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.events = events;
    }

    /**
     * Reserves tokens within the limit the tenant's config sets now, or throws {@link BudgetExceededException}; a
     * tenant without that limit is unlimited (the tokens are still reserved and counted). The statement reads the
     * limit from the config row itself, so a limit changed through any replica holds for the next reservation,
     * whatever this replica has cached.
     */
    public Reservation reserve(TenantId tenant, Budget budget, long tokens) {
        String period = budget.period(clock.instant());
        try {
            // one transaction: the period's row exists but for the first reservation of a period, so the
            // conditional UPDATE is tried first and the row is only looked for (and created) when it matched none
            return transactions.call(tenant, () -> reserveInPeriod(tenant, budget, period, tokens));
        } catch (BudgetExceededException e) {
            // published after the rolled-back transaction, so the alert listener sees it
            events.publishEvent(new UsageCommitted(tenant, budget, period, true));
            throw e;
        }
    }

    private Reservation reserveInPeriod(TenantId tenant, Budget budget, String period, long tokens) {
        // the tenant row must be found (fail closed); a null limit (none configured) makes the comparison
        // unknown, which is no limit: the config is read once per row this way
        JdbcClient.StatementSpec update = jdbc.sql("""
                        UPDATE budget_usage SET reserved = reserved + :n
                        WHERE tenant_id = :tenant AND budget = :budget AND period = :period
                          AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = :tenant
                                      AND (budget_usage.used + budget_usage.reserved + :n
                                           <= caravan_budget_limit(t.config_json, :budget)) IS NOT FALSE)""")
                .param("n", tokens).param("tenant", tenant.value()).param("budget", budget.key())
                .param("period", period);
        int reserved = update.update();
        if (reserved == 0) {
            // no row yet (or the budget is exhausted): create the row if missing, and try once more
            ensureRow(tenant, budget, period);
            reserved = update.update();
        }
        if (reserved == 0) {
            // refused: by the limit as stored now, unless it was lifted meanwhile (or the tenant erased)
            Optional<Long> limit = limit(tenant, budget);
            if (limit.isEmpty()) {
                reserved = update.update();
            }
            if (reserved == 0) {
                long refusedBy = limit.orElseThrow(() -> new TenantNotFoundException(tenant.value()));
                Usage usage = usage(tenant, budget, period, refusedBy);
                throw new BudgetExceededException(tenant, budget, tokens, usage.used(), usage.reserved(), refusedBy);
            }
        }
        Reservation reservation = new Reservation("r_" + HexFormat.of().formatHex(randomBytes()), tenant, budget,
                period, tokens);
        jdbc.sql("""
                INSERT INTO budget_reservations (id, tenant_id, budget, period, tokens, created_at)
                VALUES (:id, :tenant, :budget, :period, :tokens, :now)""")
                .param("id", reservation.id()).param("tenant", tenant.value()).param("budget", budget.key())
                .param("period", period).param("tokens", tokens)
                .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                .update();
        return reservation;
    }

    /**
     * Published after usage grows, so alerts can look at the new total once it is committed; {@code period} is the
     * budget period the usage counts in (a check made later still looks at that one).
     */
    public record UsageCommitted(TenantId tenant, Budget budget, String period, boolean exhausted) {
    }

    /** Turns a reservation into usage of {@code actual} tokens and frees the rest. */
    public void commit(Reservation reservation, long actual) {
        transactions.run(reservation.tenant(), () -> commitReserved(reservation, actual));
    }

    private void commitReserved(Reservation reservation, long actual) {
        if (forget(reservation)) {
            events.publishEvent(new UsageCommitted(reservation.tenant(), reservation.budget(), reservation.period(),
                    false));
            jdbc.sql("""
                    UPDATE budget_usage SET reserved = reserved - :reserved, used = used + :actual
                    WHERE tenant_id = :tenant AND budget = :budget AND period = :period""")
                    .param("reserved", reservation.tokens()).param("actual", actual)
                    .param("tenant", reservation.tenant().value()).param("budget", reservation.budget().key())
                    .param("period", reservation.period())
                    .update();
        }
    }

    /** Frees a reservation without using it; a second release is a no-op. */
    public void release(Reservation reservation) {
        transactions.run(reservation.tenant(), () -> releaseReserved(reservation));
    }

    private void releaseReserved(Reservation reservation) {
        if (forget(reservation)) {
            jdbc.sql("""
                    UPDATE budget_usage SET reserved = reserved - :reserved
                    WHERE tenant_id = :tenant AND budget = :budget AND period = :period""")
                    .param("reserved", reservation.tokens())
                    .param("tenant", reservation.tenant().value()).param("budget", reservation.budget().key())
                    .param("period", reservation.period())
                    .update();
        }
    }

    /**
     * The budget's limit in the tenant's config as stored now; empty when it has none (unlimited).
     *
     * @throws TenantNotFoundException the tenant no longer exists
     */
    private Optional<Long> limit(TenantId tenant, Budget budget) {
        List<Optional<Long>> rows = jdbc.sql(
                        "SELECT caravan_budget_limit(config_json, :budget) FROM tenants WHERE id = :tenant")
                .param("budget", budget.key()).param("tenant", tenant.value())
                .query((rs, row) -> Optional.ofNullable(rs.getObject(1) == null ? null : rs.getLong(1)))
                .list();
        if (rows.isEmpty()) {
            throw new TenantNotFoundException(tenant.value());
        }
        return rows.get(0);
    }

    public Usage usage(TenantId tenant, Budget budget, Long limit) {
        return usage(tenant, budget, budget.period(clock.instant()), limit);
    }

    /** The usage in a given period of the budget ({@link Budget#period}). */
    public Usage usage(TenantId tenant, Budget budget, String period, Long limit) {
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT used, reserved FROM budget_usage WHERE tenant_id = :tenant AND budget = :budget "
                        + "AND period = :period")
                .param("tenant", tenant.value()).param("budget", budget.key()).param("period", period)
                .query((rs, row) -> new Usage(rs.getLong("used"), rs.getLong("reserved"), limit))
                .optional())
                .orElse(new Usage(0, 0, limit));
    }

    /**
     * How long a reservation may live before it is taken for abandoned, with several replicas sharing the
     * database: a replica cannot tell another live replica's reservation from a dead one's, except by its age.
     * Zero (the embedded mode: one hub per database) means only this process's start-up tells.
     */
    @org.springframework.beans.factory.annotation.Value("${caravan.replicas.reservation-lease:0s}")
    void setReservationLease(java.time.Duration lease) {
        this.reservationLease = lease == null ? java.time.Duration.ZERO : lease;
    }

    private java.time.Duration reservationLease = java.time.Duration.ZERO;

    /**
     * Releases reservations left by work that a crash interrupted; that work is re-enqueued and reserves
     * again. Runs before the queue recovery. Without a lease only reservations older than this process are
     * released; with one (several replicas), only those older than the lease too, so a replica starting never
     * frees the reservation of work another live replica is doing.
     */
    @EventListener(ApplicationReadyEvent.class)
    @Order(0)
    public void releaseAbandoned() {
        java.time.Instant cutoff = startedAt;
        if (!reservationLease.isZero()) {
            java.time.Instant leaseCutoff = clock.instant().minus(reservationLease);
            cutoff = leaseCutoff.isBefore(cutoff) ? leaseCutoff : cutoff;
        }
        int released = releaseOlderThan(cutoff);
        if (released > 0) {
            LOG.info("Released {} budget reservation(s) of work interrupted by the last stop", released);
        }
    }

    /**
     * Releases the reservations older than the lease (work of a replica that died, whether or not it
     * restarts); nothing without a lease. Returns how many it released.
     */
    public int releaseExpired() {
        if (reservationLease.isZero()) {
            return 0;
        }
        int released = releaseOlderThan(clock.instant().minus(reservationLease));
        if (released > 0) {
            LOG.info("Released {} budget reservation(s) older than the lease of {}", released, reservationLease);
        }
        return released;
    }

    private int releaseOlderThan(java.time.Instant cutoff) {
        // tenant by tenant, each in its own tenant-scoped transaction
        var abandoned = new java.util.ArrayList<Reservation>();
        for (String id : jdbc.sql("SELECT id FROM tenants ORDER BY id").query(String.class).list()) {
            TenantId tenant = TenantId.of(id);
            abandoned.addAll(transactions.call(tenant, () -> jdbc.sql(
                            "SELECT * FROM budget_reservations WHERE tenant_id = :tenant AND created_at < :cutoff")
                    .param("tenant", tenant.value())
                    .param("cutoff", OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC))
                    .query((rs, row) -> new Reservation(rs.getString("id"), tenant,
                            rs.getString("budget").equals(Budget.LLM_DAILY.key()) ? Budget.LLM_DAILY
                                    : Budget.EMBEDDING_MONTHLY,
                            rs.getString("period"), rs.getLong("tokens")))
                    .list()));
        }
        abandoned.forEach(this::release);
        return abandoned.size();
    }

    public void deleteAll(TenantId tenant) {
        transactions.run(tenant, () -> deleteRows(tenant));
    }

    private void deleteRows(TenantId tenant) {
        jdbc.sql("DELETE FROM budget_reservations WHERE tenant_id = :tenant").param("tenant", tenant.value()).update();
        jdbc.sql("DELETE FROM budget_alerts WHERE tenant_id = :tenant").param("tenant", tenant.value()).update();
        jdbc.sql("DELETE FROM budget_usage WHERE tenant_id = :tenant").param("tenant", tenant.value()).update();
    }

    private boolean forget(Reservation reservation) {
        return jdbc.sql("DELETE FROM budget_reservations WHERE tenant_id = :tenant AND id = :id")
                .param("tenant", reservation.tenant().value()).param("id", reservation.id()).update() > 0;
    }

    /** Creates the period's row in a transaction (or savepoint) of its own, so a concurrent insert aborts nothing. */
    private void ensureRow(TenantId tenant, Budget budget, String period) {
        boolean exists = transactions.call(tenant, () -> jdbc.sql(
                        "SELECT COUNT(*) FROM budget_usage WHERE tenant_id = :tenant AND budget = :budget "
                        + "AND period = :period")
                .param("tenant", tenant.value()).param("budget", budget.key()).param("period", period)
                .query(Integer.class).single() > 0);
        if (!exists) {
            try {
                transactions.attempt(tenant, () -> jdbc.sql(
                                "INSERT INTO budget_usage (tenant_id, budget, period, used, reserved) "
                                + "VALUES (:tenant, :budget, :period, 0, 0)")
                        .param("tenant", tenant.value()).param("budget", budget.key()).param("period", period)
                        .update());
            } catch (DuplicateKeyException concurrentInsert) {
                // another reservation created the row first: fine
            }
        }
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return bytes;
    }
}
