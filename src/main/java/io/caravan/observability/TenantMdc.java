package io.caravan.observability;

import io.caravan.tenancy.TenantId;
import org.slf4j.MDC;

/** Puts {@code tenant_id} into the logging MDC for the current thread and restores what was there. */
public final class TenantMdc {

    public static final String KEY = "tenant_id";

    private TenantMdc() {
    }

    public static Scope open(TenantId tenant) {
        String previous = MDC.get(KEY);
        MDC.put(KEY, tenant.value());
        return () -> {
            if (previous == null) {
                MDC.remove(KEY);
            } else {
                MDC.put(KEY, previous);
            }
        };
    }

    /** Closing restores the previous MDC value. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
