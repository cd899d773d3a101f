package io.caravan.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.vector.VectorChunk;
import io.caravan.vector.VectorMatch;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code caravan.llm.*} as Spring binds it, the start-up validation, and the prompt. */
class LlmCatalogTest {

    @Test
    void withoutConfigurationEveryCriticalityIsAnsweredByExtractive() {
        LlmCatalog catalog = catalog(Map.of());

        for (String level : LlmCatalog.CRITICALITIES) {
            assertThat(catalog.route(level)).extracting(ChatProvider::name).containsExactly("extractive");
        }
        assertThat(catalog.extractive().remote()).isFalse();
    }

    @Test
    void providersAndRoutesBindFromPropertiesWithDefaults() {
        Map<String, String> properties = new HashMap<>();
        properties.put("caravan.llm.providers.primary.type", "openai");
        properties.put("caravan.llm.providers.primary.base-url", "http://127.0.0.1:9000/v1");
        properties.put("caravan.llm.providers.primary.model", "gpt-4o-mini");
        properties.put("caravan.llm.providers.primary.api-key", "sk-platform-secret");
        properties.put("caravan.llm.providers.claude.type", "anthropic");
        properties.put("caravan.llm.providers.claude.model", "claude-sonnet");
        properties.put("caravan.llm.providers.claude.timeout", "5s");
        properties.put("caravan.llm.providers.claude.max-tokens", "1024");
        properties.put("caravan.llm.routes.standard", "primary,extractive");
        properties.put("caravan.llm.routes.internal-test", "extractive");
        properties.put("caravan.llm.routes.critical", "claude, primary, extractive");

        LlmProperties bound = bind(properties);
        LlmCatalog catalog = new LlmCatalog(bound, new ExtractiveAnswerer(), null);

        assertThat(bound.providers().get("primary").timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(bound.providers().get("primary").maxTokens()).isEqualTo(512);
        assertThat(bound.providers().get("claude").timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(bound.providers().get("primary").toString()).doesNotContain("sk-platform-secret");
        assertThat(catalog.route("standard")).extracting(ChatProvider::name).containsExactly("primary", "extractive");
        assertThat(catalog.route("critical")).extracting(ChatProvider::name)
                .containsExactly("claude", "primary", "extractive");
        assertThat(catalog.route("critical")).extracting(ChatProvider::type)
                .containsExactly("anthropic", "openai", "extractive");
        assertThat(catalog.route("critical").get(0).maxCompletionTokens()).isEqualTo(1024);
        assertThat(catalog.route("internal-test")).extracting(ChatProvider::name).containsExactly("extractive");
        assertThat(bound.breaker().slidingWindowSize()).isEqualTo(5);
    }

    @Test
    void invalidConfigurationFailsWithAMessageNamingTheProperty() {
        assertInvalid(Map.of("caravan.llm.providers.primary.type", "gemini",
                        "caravan.llm.providers.primary.model", "m"),
                "caravan.llm.providers.primary.type is 'gemini'");
        assertInvalid(Map.of("caravan.llm.providers.primary.type", "openai"),
                "caravan.llm.providers.primary.model is required");
        assertInvalid(Map.of("caravan.llm.routes.standard", "primary,extractive"),
                "caravan.llm.routes.standard names provider 'primary', which is not configured");
        assertInvalid(Map.of("caravan.llm.routes.urgent", "extractive"),
                "caravan.llm.routes.urgent: unknown criticality");
        assertInvalid(Map.of("caravan.llm.routes.standard", "extractive,extractive"), "twice");
        assertInvalid(Map.of("caravan.llm.providers.extractive.type", "openai",
                "caravan.llm.providers.extractive.model", "m"), "reserved");
        assertInvalid(Map.of("caravan.llm.providers.primary.type", "openai",
                "caravan.llm.providers.primary.model", "m",
                "caravan.llm.providers.primary.max-tokens", "0"), "max-tokens must be positive");
    }

    @Test
    void thePromptHasTheSystemPromptNumberedPassagesWithTitlesAndTheQuestion() {
        PromptBuilder builder = new PromptBuilder();
        List<VectorMatch> passages = List.of(match("Refunds", "Refunds take 14 days."),
                match("Shipping", "Anvils ship by rail."));

        ChatPrompt own = builder.build("You help Acme.", "How long do refunds take?", passages);
        ChatPrompt fallback = builder.build(null, "How long do refunds take?", passages);

        assertThat(own.system()).isEqualTo("You help Acme.");
        assertThat(fallback.system()).isEqualTo(PromptBuilder.DEFAULT_SYSTEM_PROMPT);
        assertThat(own.user()).contains("[1] Refunds\nRefunds take 14 days.", "[2] Shipping\nAnvils ship by rail.")
                .endsWith("Question: How long do refunds take?");
        assertThat(own.user().indexOf("[1] Refunds")).isLessThan(own.user().indexOf("[2] Shipping"));
        assertThat(own.estimatedTokens()).isEqualTo(PromptBuilder.estimateTokens(own.system())
                + PromptBuilder.estimateTokens(own.user()) + PromptBuilder.FRAMING_TOKENS);
        assertThat(PromptBuilder.estimateTokens("abcde")).isEqualTo(2);
    }

    @Test
    void timeoutsAreToldApartFromOtherFailures() {
        assertThat(LlmRouter.classify(new dev.langchain4j.exception.TimeoutException("slow"))).isEqualTo(Outcome.TIMEOUT);
        assertThat(LlmRouter.classify(new RuntimeException(new java.net.http.HttpTimeoutException("slow"))))
                .isEqualTo(Outcome.TIMEOUT);
        assertThat(LlmRouter.classify(new dev.langchain4j.exception.RateLimitException("429")))
                .isEqualTo(Outcome.ERROR);
        assertThat(LlmRouter.classify(new IllegalStateException("no text"))).isEqualTo(Outcome.ERROR);
    }

    private static VectorMatch match(String title, String text) {
        return new VectorMatch(new VectorChunk("chunk-" + title, "doc-" + title, 0, title, "text", null, text, new float[0]), 0.9);
    }

    private static void assertInvalid(Map<String, String> properties, String message) {
        assertThatThrownBy(() -> catalog(properties)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Invalid LLM configuration")
                .hasMessageContaining(message);
    }

    private static LlmCatalog catalog(Map<String, String> properties) {
        return new LlmCatalog(bind(properties), new ExtractiveAnswerer(), null);
    }

    private static LlmProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bind("caravan.llm", LlmProperties.class)
                .orElseGet(() -> new LlmProperties(null, null, null));
    }
}
