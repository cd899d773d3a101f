package io.caravan.api;

import io.caravan.tenancy.TenantId;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * {@code limits.queriesPerMinute} per tenant: a fixed one-minute window per tenant, kept in this JVM (per
 * replica, like Camel's throttler). Tenants never share a window.
 */
@Component
class QueryRateLimiter {

    private record Window(long minute, int count) {
    }

    private final Map<TenantId, Window> windows = new ConcurrentHashMap<>();
    private final Clock clock;

    QueryRateLimiter(Clock clock) {
        this.clock = clock;
    }

    /** Counts a query; throws {@link RateLimitedException} when the tenant's window is full. */
    void acquire(TenantId tenant, Integer perMinute) {
        if (perMinute == null) {
            return;
        }
        long now = clock.millis();
        long minute = now / 60_000;
        Window window = windows.compute(tenant, (t, w) -> w == null || w.minute() != minute
                ? new Window(minute, 1) : new Window(minute, w.count() + 1));
        if (window.count() > perMinute) {
            long retryAfter = Math.max(1, ((minute + 1) * 60_000 - now + 999) / 1000);
            throw new RateLimitedException(retryAfter, "tenant " + tenant + " is limited to " + perMinute
                    + " queries per minute");
        }
    }

    void forget(TenantId tenant) {
        windows.remove(tenant);
    }
}
