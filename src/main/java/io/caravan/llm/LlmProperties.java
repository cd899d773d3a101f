package io.caravan.llm;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The LLM providers and the criticality routes ({@code caravan.llm.*}). Validated into an
 * {@link LlmCatalog} at start-up; nothing here is used before that.
 *
 * @param providers providers by name; a provider named {@code extractive} always exists
 * @param routes    criticality ({@code internal-test}, {@code standard}, {@code critical}) to ordered provider
 *                  names; a missing level is {@code [extractive]}
 * @param breaker   thresholds of the per-tenant, per-provider circuit breakers
 */
@ConfigurationProperties("caravan.llm")
public record LlmProperties(Map<String, Provider> providers, Map<String, List<String>> routes, Breaker breaker) {

    public LlmProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
        routes = routes == null ? Map.of() : Map.copyOf(routes);
        breaker = breaker == null ? Breaker.defaults() : breaker;
    }

    /**
     * One provider.
     *
     * @param type      {@code openai} (any OpenAI-compatible chat completions API), {@code anthropic} or
     *                  {@code extractive}
     * @param baseUrl   API root (e.g. {@code http://127.0.0.1:9000/v1}); the provider's public API when null
     * @param model     model name sent to the provider
     * @param apiKey    the platform key (a placeholder resolved from the environment); tenants may bring their
     *                  own as the secret {@code llm-<name>-api-key}
     * @param timeout   connect and response timeout of one call (default 30s)
     * @param maxTokens most completion tokens per call (default 512); also what a call reserves of the budget
     */
    public record Provider(String type, String baseUrl, String model, String apiKey, Duration timeout,
                           Integer maxTokens) {

        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
        public static final int DEFAULT_MAX_TOKENS = 512;

        public Provider {
            timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
            maxTokens = maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens;
        }

        boolean hasApiKey() {
            return apiKey != null && !apiKey.isBlank();
        }

        /** Never prints the key: this record may end up in a log or a start-up failure report. */
        @Override
        public String toString() {
            return "Provider[type=" + type + ", baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                    + (hasApiKey() ? "(set)" : "(none)") + ", timeout=" + timeout + ", maxTokens=" + maxTokens + "]";
        }
    }

    /**
     * Circuit breaker thresholds (count-based window). Small defaults: a tenant whose key is wrong stops
     * reaching the provider after a handful of calls.
     *
     * @param slidingWindowSize        calls in the window
     * @param minimumNumberOfCalls     calls before the failure rate is evaluated
     * @param failureRateThreshold     percentage of failed calls that opens the breaker
     * @param waitInOpen               how long an open breaker refuses calls before a half-open probe
     * @param permittedCallsInHalfOpen probe calls in the half-open state
     */
    public record Breaker(Integer slidingWindowSize, Integer minimumNumberOfCalls, Float failureRateThreshold,
                          Duration waitInOpen, Integer permittedCallsInHalfOpen) {

        public Breaker {
            slidingWindowSize = slidingWindowSize == null ? 5 : slidingWindowSize;
            minimumNumberOfCalls = minimumNumberOfCalls == null ? slidingWindowSize : minimumNumberOfCalls;
            failureRateThreshold = failureRateThreshold == null ? 50f : failureRateThreshold;
            waitInOpen = waitInOpen == null ? Duration.ofSeconds(30) : waitInOpen;
            permittedCallsInHalfOpen = permittedCallsInHalfOpen == null ? 1 : permittedCallsInHalfOpen;
        }

        static Breaker defaults() {
            return new Breaker(null, null, null, null, null);
        }
    }
}
