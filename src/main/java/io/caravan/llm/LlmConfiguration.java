package io.caravan.llm;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The circuit breaker registry of the LLM router, configured from {@code caravan.llm.breaker.*}. */
@Configuration(proxyBeanMethods = false)
class LlmConfiguration {

    @Bean
    CircuitBreakerRegistry llmCircuitBreakers(LlmProperties properties) {
        LlmProperties.Breaker breaker = properties.breaker();
        if (breaker.slidingWindowSize() < 1 || breaker.minimumNumberOfCalls() < 1
                || breaker.permittedCallsInHalfOpen() < 1 || breaker.failureRateThreshold() <= 0
                || breaker.failureRateThreshold() > 100 || breaker.waitInOpen().isNegative()
                || breaker.waitInOpen().isZero()) {
            throw new IllegalStateException("Invalid LLM configuration: caravan.llm.breaker needs positive sizes, "
                    + "a failure-rate-threshold in (0, 100] and a positive wait-in-open");
        }
        return CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breaker.slidingWindowSize())
                .minimumNumberOfCalls(breaker.minimumNumberOfCalls())
                .failureRateThreshold(breaker.failureRateThreshold())
                .waitDurationInOpenState(breaker.waitInOpen())
                .permittedNumberOfCallsInHalfOpenState(breaker.permittedCallsInHalfOpen())
                .build());
    }
}
