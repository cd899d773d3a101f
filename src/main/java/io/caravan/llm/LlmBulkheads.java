package io.caravan.llm;

import io.caravan.tenancy.TenantId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * {@code limits.maxConcurrentLlmCalls}: a per-tenant bulkhead around remote LLM calls (per replica). A call
 * waits up to {@code caravan.llm.bulkhead-wait} for a permit, then the query is refused with 429, so one
 * tenant's burst can never hold every connection to a provider.
 */
@Component
class LlmBulkheads {

    /** A held permit; closing it gives it back. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private record Bulkhead(int size, Semaphore permits) {
    }

    private static final Permit NONE = () -> { };

    private final Map<TenantId, Bulkhead> bulkheads = new ConcurrentHashMap<>();
    private final Duration wait;

    LlmBulkheads(@Value("${caravan.llm.bulkhead-wait:2s}") Duration wait) {
        this.wait = wait;
    }

    Permit acquire(TenantId tenant, Integer maxConcurrent) {
        if (maxConcurrent == null) {
            return NONE;
        }
        // a changed limit takes effect for new calls; calls in flight release into the old semaphore
        Bulkhead bulkhead = bulkheads.compute(tenant, (t, b) -> b != null && b.size() == maxConcurrent
                ? b : new Bulkhead(maxConcurrent, new Semaphore(maxConcurrent)));
        try {
            if (!bulkhead.permits().tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ConcurrencyLimitException(tenant, maxConcurrent);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConcurrencyLimitException(tenant, maxConcurrent);
        }
        return () -> bulkhead.permits().release();
    }

    void forget(TenantId tenant) {
        bulkheads.remove(tenant);
    }
}
