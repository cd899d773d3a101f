package io.caravan.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;

/**
 * Reservations are atomic in the real database: concurrent callers can never jointly exceed a budget, and the
 * limit is the one the tenant's config holds at that moment, whichever replica changed it (a contract test: the
 * limit is read by H2's and PostgreSQL's own {@code caravan_budget_limit}).
 */
@Tag("contract")
class TokenBudgetsTest extends HubTest {

    @Autowired
    TokenBudgets budgets;

    @Test
    void fiftyConcurrentReservationsNeverExceedTheBudget() throws Exception {
        TenantId tenant = TenantId.of(newTenant("budget-race"));
        long limit = 1_000;
        configure(tenant.value(), "{\"budgets\":{\"embeddingTokensPerMonth\":" + limit + "}}");
        int callers = 50;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Callable<Boolean> call = () -> {
                    start.await();
                    try {
                        budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 70);
                        return true;
                    } catch (BudgetExceededException e) {
                        return false;
                    }
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            int granted = 0;
            for (Future<Boolean> result : results) {
                granted += result.get() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(14); // 14 × 70 = 980 ≤ 1000 < 15 × 70
            TokenBudgets.Usage usage = budgets.usage(tenant, Budget.EMBEDDING_MONTHLY, limit);
            assertThat(usage.reserved()).isEqualTo(980);
            assertThat(usage.used() + usage.reserved()).isLessThanOrEqualTo(limit);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void commitCountsActualUsageAndReleaseFreesTheRest() {
        TenantId tenant = TenantId.of(newTenant("budget-commit"));
        configure(tenant.value(), "{\"budgets\":{\"embeddingTokensPerMonth\":100}}");
        TokenBudgets.Reservation first = budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 60);
        assertThatThrownBy(() -> budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 50))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessageContaining("limit 100");
        budgets.commit(first, 40);
        budgets.commit(first, 40); // a second commit is a no-op
        assertThat(budgets.usage(tenant, Budget.EMBEDDING_MONTHLY, 100L))
                .isEqualTo(new TokenBudgets.Usage(40, 0, 100L));
        TokenBudgets.Reservation second = budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 60);
        budgets.release(second);
        budgets.release(second);
        assertThat(budgets.usage(tenant, Budget.EMBEDDING_MONTHLY, 100L))
                .isEqualTo(new TokenBudgets.Usage(40, 0, 100L));
    }

    @Test
    void tenantsHaveSeparateBudgetsAndUnlimitedStillCounts() {
        TenantId a = TenantId.of(newTenant("budget-a"));
        TenantId b = TenantId.of(newTenant("budget-b"));
        TenantId c = TenantId.of(newTenant("budget-c"));
        configure(a.value(), "{\"budgets\":{\"embeddingTokensPerMonth\":100}}");
        configure(b.value(), "{\"budgets\":{\"embeddingTokensPerMonth\":100}}");
        budgets.commit(budgets.reserve(a, Budget.EMBEDDING_MONTHLY, 100), 100);
        assertThatThrownBy(() -> budgets.reserve(a, Budget.EMBEDDING_MONTHLY, 1))
                .isInstanceOf(BudgetExceededException.class);
        budgets.commit(budgets.reserve(b, Budget.EMBEDDING_MONTHLY, 100), 100); // a's usage is not b's
        budgets.commit(budgets.reserve(c, Budget.EMBEDDING_MONTHLY, 100), 100); // no limit: unlimited
        budgets.commit(budgets.reserve(c, Budget.EMBEDDING_MONTHLY, 5_000), 5_000);
        assertThat(budgets.usage(c, Budget.EMBEDDING_MONTHLY, null).used()).isEqualTo(5_100);
    }

    /**
     * The limit is read by the reservation statement from the tenant's config row: a change written by another
     * replica (here straight to the row, as that replica's transaction leaves it) holds for the very next
     * reservation, whatever this replica's registry has cached. Each budget reads its own field.
     */
    @Test
    void aLimitChangedThroughAnotherReplicaHoldsForTheNextReservation() {
        TenantId tenant = TenantId.of(newTenant("budget-change"));
        configure(tenant.value(), "{\"budgets\":{\"llmTokensPerDay\":1000,\"embeddingTokensPerMonth\":1000}}");
        budgets.commit(budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 500), 500);
        budgets.commit(budgets.reserve(tenant, Budget.LLM_DAILY, 500), 500);

        writtenByAnotherReplica(tenant, "{\"budgets\":{\"llmTokensPerDay\":1000,\"embeddingTokensPerMonth\":600}}");
        assertThatThrownBy(() -> budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 101))
                .isInstanceOf(BudgetExceededException.class).hasMessageEndingWith("limit 600)");
        budgets.release(budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 100));
        budgets.release(budgets.reserve(tenant, Budget.LLM_DAILY, 500)); // the other budget's limit is unchanged

        writtenByAnotherReplica(tenant, "{\"budgets\":{\"llmTokensPerDay\":0}}");
        assertThatThrownBy(() -> budgets.reserve(tenant, Budget.LLM_DAILY, 1))
                .isInstanceOf(BudgetExceededException.class).hasMessageEndingWith("limit 0)");
        // no embedding limit any more: unlimited, and still counted
        budgets.commit(budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 10_000), 10_000);
        assertThat(budgets.usage(tenant, Budget.EMBEDDING_MONTHLY, null).used()).isEqualTo(10_500);
    }

    /** H2's alias and PostgreSQL's function read the same limits, and neither takes a malformed one for none. */
    @Test
    void aLimitThatIsNotAWholeNumberIsAnErrorNeverNoLimit() {
        TenantId tenant = TenantId.of(newTenant("budget-malformed"));
        writtenByAnotherReplica(tenant, "{\"budgets\":{\"embeddingTokensPerMonth\":1.5e3,\"llmTokensPerDay\":7.0}}");
        budgets.commit(budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 1_500), 1_500);
        assertThatThrownBy(() -> budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 1))
                .isInstanceOf(BudgetExceededException.class).hasMessageEndingWith("limit 1500)");
        assertThatThrownBy(() -> budgets.reserve(tenant, Budget.LLM_DAILY, 8))
                .isInstanceOf(BudgetExceededException.class).hasMessageEndingWith("limit 7)");
        for (String malformed : List.of("\"1000\"", "1.5", "true", "{}", "9223372036854775808")) {
            writtenByAnotherReplica(tenant, "{\"budgets\":{\"embeddingTokensPerMonth\":" + malformed + "}}");
            assertThatThrownBy(() -> budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 1)).as(malformed)
                    .isInstanceOf(DataAccessException.class).isNotInstanceOf(BudgetExceededException.class);
        }
        writtenByAnotherReplica(tenant, "{\"budgets\":{\"embeddingTokensPerMonth\":null}}");
        budgets.release(budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 1_000_000));
    }

    private void writtenByAnotherReplica(TenantId tenant, String config) {
        assertThat(storedRows().sql(
                        "UPDATE tenants SET config_json = :config, config_version = config_version + 1 WHERE id = :id")
                .param("config", config).param("id", tenant.value()).update()).isEqualTo(1);
    }
}
