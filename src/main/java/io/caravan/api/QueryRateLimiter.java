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
        refuseOver(tenant, window, perMinute, now);
    }

    /**
     * Checks a query {@link #acquire} counted (and refused) against another limit, without counting it again:
     * for a limit read anew after a refusal.
     */
    void recheck(TenantId tenant, Integer perMinute) {
        Window window = windows.get(tenant);
        if (perMinute != null && window != null) {
            refuseOver(tenant, window, perMinute, clock.millis());
        }
    }

    private static void refuseOver(TenantId tenant, Window window, int perMinute, long now) {
        if (window.count() > perMinute && window.minute() == now / 60_000) {
            long retryAfter = Math.max(1, ((window.minute() + 1) * 60_000 - now + 999) / 1000);
            throw new RateLimitedException(retryAfter, "tenant " + tenant + " is limited to " + perMinute
                    + " queries per minute");
        }
    }

    void forget(TenantId tenant) {
        windows.remove(tenant);
    }
}
