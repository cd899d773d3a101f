package io.caravan.llm;

import io.caravan.observability.TenantGauges;
import io.caravan.tenancy.TenantId;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.springframework.stereotype.Component;

/**
 * One circuit breaker per tenant and provider ({@code tenant + ":" + provider}): one tenant's bad key or
 * traffic opens only its own breaker. Each breaker shows as {@code rag_circuit_breaker_state}.
 */
@Component
public class LlmBreakers {

    private final CircuitBreakerRegistry registry;
    private final TenantGauges gauges;

    public LlmBreakers(CircuitBreakerRegistry registry, TenantGauges gauges) {
        this.registry = registry;
        this.gauges = gauges;
    }

    public CircuitBreaker breaker(TenantId tenant, String provider) {
        String key = key(tenant, provider);
        CircuitBreaker breaker = registry.circuitBreaker(key);
        // idempotent; reads the breaker by name, so it stays right when a forgotten breaker is created anew
        gauges.circuitBreaker(tenant, provider,
                () -> registry.find(key).map(b -> gaugeValue(b.getState())).orElse(0));
        return breaker;
    }

    /** Drops the tenant's breakers (tenant erased): a later tenant with the same id starts closed. */
    public void forget(TenantId tenant) {
        registry.getAllCircuitBreakers().stream()
                .filter(breaker -> breaker.getName().startsWith(tenant.value() + ":"))
                .map(CircuitBreaker::getName)
                .toList()
                .forEach(registry::remove);
    }

    static String key(TenantId tenant, String provider) {
        return tenant.value() + ":" + provider;
    }

    /** 0 closed, 1 open, 2 half-open; forced-open counts as open, disabled as closed. */
    static int gaugeValue(CircuitBreaker.State state) {
        return switch (state) {
            case OPEN, FORCED_OPEN -> 1;
            case HALF_OPEN -> 2;
            case CLOSED, DISABLED, METRICS_ONLY -> 0;
        };
    }
}
