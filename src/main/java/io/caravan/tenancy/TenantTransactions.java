package io.caravan.tenancy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way to reach tenant-owned rows: runs the work in a transaction (the caller's, if there is one) that is
 * scoped to the tenant with {@code set_config('caravan.tenant_id', tenant, true)}. On PostgreSQL the row-level
 * security policies read that setting, so a statement outside such a transaction sees no rows; H2 has no such
 * policies, and the call is skipped there. The setting is made once per transaction, and a
 * transaction already scoped to another tenant is refused: one transaction never mixes tenants.
 */
@Component
public class TenantTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(TenantTransactions.class);
    private static final Duration ERASE_WAIT = Duration.ofMinutes(2);
    /** SQLSTATE of an insert whose foreign key finds no parent row: PostgreSQL, H2. */
    private static final Set<String> PARENT_MISSING = Set.of("23503", "23506");

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final TransactionTemplate required;
    private final TransactionTemplate nested;
    /** One per tenant seen by this process (a few objects each, never removed: ids are reused after erasure). */
    private final Map<TenantId, ReentrantReadWriteLock> fences = new ConcurrentHashMap<>();
    private volatile Boolean rowSecurity;

    public TenantTransactions(JdbcClient jdbc, DataSource dataSource, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.required = new TransactionTemplate(transactions);
        this.nested = new TransactionTemplate(transactions);
        // inside a transaction a savepoint: PostgreSQL aborts the whole transaction on a failed statement otherwise
        this.nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /**
     * Runs the work in a transaction scoped to the tenant and returns its result. A write refused because the
     * tenant row is gone (every tenant-owned table references it: the tenant was erased while this ran) fails
     * with {@link TenantNotFoundException}.
     */
    public <T> T call(TenantId tenant, Supplier<T> work) {
        requireTenant(tenant);
        // a transaction of its own waits for a running erasure before it takes a pooled connection, so waiting
        // transactions never hold the connections the erasure (or the writes it waits for) needs
        Lock inFlight = TransactionSynchronizationManager.isActualTransactionActive() ? null : enter(tenant);
        try {
            return required.execute(status -> {
                scope(tenant);
                return work.get();
            });
        } catch (DataIntegrityViolationException e) {
            throw translated(tenant, e);
        } finally {
            if (inFlight != null) {
                inFlight.unlock();
            }
        }
    }

    /** A foreign-key violation: every one references the tenant row, so the tenant does not exist (any more). */
    private static RuntimeException translated(TenantId tenant, DataIntegrityViolationException e) {
        if (!(e instanceof DuplicateKeyException) && e.getMostSpecificCause() instanceof SQLException sql
                && PARENT_MISSING.contains(sql.getSQLState())) {
            return new TenantNotFoundException(tenant.value(), e);
        }
        return e;
    }

    public void run(TenantId tenant, Runnable work) {
        call(tenant, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Like {@link #call}, for a statement that may fail expectedly (a unique key taken by a concurrent writer):
     * inside an existing transaction it runs under a savepoint, so its failure leaves that transaction usable.
     */
    public <T> T attempt(TenantId tenant, Supplier<T> work) {
        requireTenant(tenant);
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return call(tenant, work); // a transaction of its own: its failure rolls back only itself
        }
        // the tenant is set outside the savepoint (a rollback to it must not undo the setting), and the failure
        // does not pass through a participating template, which would mark the whole transaction rollback-only
        scope(tenant);
        try {
            return nested.execute(status -> work.get());
        } catch (DataIntegrityViolationException e) {
            throw translated(tenant, e);
        }
    }

    private void scope(TenantId tenant) {
        Object connection = TransactionSynchronizationManager.getResource(dataSource);
        if (connection == null) {
            throw new IllegalStateException("no transactional connection to scope to tenant " + tenant);
        }
        // keyed by the transaction's connection holder: a REQUIRES_NEW transaction has its own and is set again
        TenantId current = (TenantId) TransactionSynchronizationManager.getResource(new Scope(connection));
        if (current != null) {
            if (!current.equals(tenant)) {
                throw new IllegalStateException("this transaction is scoped to another tenant");
            }
            return;
        }
        // held until the transaction ends, so an erasure of the tenant waits for it (see erase)
        Lock inFlight = enterHoldingConnection(tenant);
        Scope scope = new Scope(connection);
        try {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(scope);
                    inFlight.unlock();
                }
            });
        } catch (RuntimeException e) {
            inFlight.unlock();
            throw e;
        }
        TransactionSynchronizationManager.bindResource(scope, tenant);
        if (rowSecurity()) {
            jdbc.sql("SELECT set_config('caravan.tenant_id', :tenant, true)").param("tenant", tenant.value())
                    .query(String.class).single();
        }
    }

    /**
     * Runs erasure's last step, deleting the tenant row (which cascades to every tenant-owned row), in a
     * transaction of its own once no transaction of the tenant is in flight in this process, and keeps new ones
     * waiting until it has committed; those then fail on the missing tenant ({@link TenantNotFoundException}).
     * Across processes PostgreSQL gives the same guarantee through the foreign keys' key-share locks (the delete
     * waits at most {@code ERASE_WAIT} for other replicas' writes); H2 (one process) takes none, so this is its
     * fence. Nothing else may run under it: listeners of the change run after it returns.
     */
    public <T> T erase(TenantId tenant, Supplier<T> deleteTenantRow) {
        requireTenant(tenant);
        ReentrantReadWriteLock fence = fence(tenant);
        if (TransactionSynchronizationManager.isActualTransactionActive() || fence.getReadHoldCount() > 0) {
            // the delete must commit under the write lock, which a reader of the tenant could never take
            throw new IllegalStateException("tenant " + tenant + " must be erased outside any transaction");
        }
        try {
            if (!fence.writeLock().tryLock()) {
                LOG.info("Erasure of tenant {} waits for {} transaction(s) in flight", tenant, fence.getReadLockCount());
                if (!fence.writeLock().tryLock(ERASE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("tenant " + tenant + " still had transactions in flight after "
                            + ERASE_WAIT.toSeconds() + " s; its erasure can be repeated");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while erasing tenant " + tenant, e);
        }
        try {
            return required.execute(status -> {
                if (rowSecurity()) {
                    jdbc.sql("SET LOCAL lock_timeout = '" + ERASE_WAIT.toSeconds() + "s'").update();
                }
                return deleteTenantRow.get();
            });
        } finally {
            fence.writeLock().unlock();
        }
    }

    /** Whether an erasure of the tenant is waiting for the tenant's transactions in flight in this process. */
    public boolean erasureWaiting(TenantId tenant) {
        return fence(tenant).hasQueuedThreads();
    }

    /**
     * The read lock for a transaction that already holds a pooled connection (opened outside {@link #call}, or a
     * nested one): it never waits for an erasure, so no connection is held while one runs. Re-entering (the
     * thread's own {@link #call} took it) always succeeds; otherwise, with an erasure of the tenant running or
     * first in line for the lock, the transaction fails as the tenant's would a moment later.
     */
    private Lock enterHoldingConnection(TenantId tenant) {
        Lock inFlight = fence(tenant).readLock();
        // the timed form (unlike tryLock()) does not barge past a waiting erasure; with no wait it cannot be
        // interrupted either, so a pending interrupt is set aside and restored
        boolean interrupted = Thread.interrupted();
        try {
            if (inFlight.tryLock(0, TimeUnit.NANOSECONDS)) {
                return inFlight;
            }
        } catch (InterruptedException impossible) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        throw new TenantNotFoundException(tenant.value(), new IllegalStateException("the tenant is being erased"));
    }

    private Lock enter(TenantId tenant) {
        Lock inFlight = fence(tenant).readLock();
        inFlight.lock();
        return inFlight;
    }

    private ReentrantReadWriteLock fence(TenantId tenant) {
        return fences.computeIfAbsent(tenant, id -> new ReentrantReadWriteLock());
    }

    /**
     * Whether the database enforces row-level security (PostgreSQL). H2 has none: the setting would be read by
     * nothing, and the statement is a round trip on every transaction, queries included. Asked once.
     */
    private boolean rowSecurity() {
        Boolean known = rowSecurity;
        if (known == null) {
            known = jdbc.sql("SELECT 1").query((rs, row) -> {
                String product = rs.getStatement().getConnection().getMetaData().getDatabaseProductName();
                return !"H2".equalsIgnoreCase(product);
            }).single();
            rowSecurity = known;
        }
        return known;
    }

    private static void requireTenant(TenantId tenant) {
        if (tenant == null) {
            throw new MissingTenantException("tenant-scoped data access");
        }
    }

    /** The resource key of a transaction's tenant: identity of its connection holder. */
    private record Scope(Object connectionHolder) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Scope scope && scope.connectionHolder == connectionHolder;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(connectionHolder);
        }
    }
}
