package io.caravan.llm;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import io.caravan.secrets.TenantSecrets;

/** The Anthropic Messages API. It always needs a key: without one the provider is skipped. */
final class AnthropicProvider extends RemoteChatProvider {

    static final String DEFAULT_BASE_URL = "https://api.anthropic.com/v1/";

    AnthropicProvider(String name, LlmProperties.Provider settings, TenantSecrets secrets) {
        super(name, settings, secrets);
    }

    @Override
    public String type() {
        return ProviderType.ANTHROPIC.wire();
    }

    @Override
    boolean keyOptional() {
        return false;
    }

    @Override
    ChatModel build(LlmProperties.Provider settings, String apiKey) {
        return AnthropicChatModel.builder()
                .baseUrl(settings.baseUrl() == null ? DEFAULT_BASE_URL : settings.baseUrl())
                .apiKey(apiKey)
                .modelName(settings.model())
                .maxTokens(settings.maxTokens())
                .timeout(settings.timeout())
                .maxRetries(0)
                .build();
    }
}
