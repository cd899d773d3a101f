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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Reservations are atomic in the real database: concurrent callers can never jointly exceed a budget. */
class TokenBudgetsTest extends HubTest {

    @Autowired
    TokenBudgets budgets;

    @Test
    void fiftyConcurrentReservationsNeverExceedTheBudget() throws Exception {
        TenantId tenant = TenantId.of(newTenant("budget-race"));
        long limit = 1_000;
        int callers = 50;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Callable<Boolean> call = () -> {
                    start.await();
                    try {
                        budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 70, limit);
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
        TokenBudgets.Reservation first = budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 60, 100L);
        assertThatThrownBy(() -> budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 50, 100L))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessageContaining("limit 100");
        budgets.commit(first, 40);
        budgets.commit(first, 40); // a second commit is a no-op
        assertThat(budgets.usage(tenant, Budget.EMBEDDING_MONTHLY, 100L))
                .isEqualTo(new TokenBudgets.Usage(40, 0, 100L));
        TokenBudgets.Reservation second = budgets.reserve(tenant, Budget.EMBEDDING_MONTHLY, 60, 100L);
        budgets.release(second);
        budgets.release(second);
        assertThat(budgets.usage(tenant, Budget.EMBEDDING_MONTHLY, 100L))
                .isEqualTo(new TokenBudgets.Usage(40, 0, 100L));
    }

    @Test
    void tenantsHaveSeparateBudgetsAndUnlimitedStillCounts() {
        TenantId a = TenantId.of(newTenant("budget-a"));
        TenantId b = TenantId.of(newTenant("budget-b"));
        budgets.commit(budgets.reserve(a, Budget.EMBEDDING_MONTHLY, 100, 100L), 100);
        assertThatThrownBy(() -> budgets.reserve(a, Budget.EMBEDDING_MONTHLY, 1, 100L))
                .isInstanceOf(BudgetExceededException.class);
        budgets.commit(budgets.reserve(b, Budget.EMBEDDING_MONTHLY, 100, 100L), 100);
        budgets.commit(budgets.reserve(b, Budget.EMBEDDING_MONTHLY, 5_000, null), 5_000);
        assertThat(budgets.usage(b, Budget.EMBEDDING_MONTHLY, null).used()).isEqualTo(5_100);
    }
}
