package io.caravan.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.caravan.secrets.TenantSecrets;

/** Any OpenAI-compatible chat completions API (OpenAI, vLLM, Ollama, LM Studio, Mistral…). */
final class OpenAiProvider extends RemoteChatProvider {

    static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    OpenAiProvider(String name, LlmProperties.Provider settings, TenantSecrets secrets) {
        super(name, settings, secrets);
    }

    @Override
    public String type() {
        return ProviderType.OPENAI.wire();
    }

    @Override
    boolean keyOptional() {
        return true;
    }

    @Override
    ChatModel build(LlmProperties.Provider settings, String apiKey) {
        return OpenAiChatModel.builder()
                .baseUrl(settings.baseUrl() == null ? DEFAULT_BASE_URL : settings.baseUrl())
                .apiKey(apiKey)
                .modelName(settings.model())
                .maxTokens(settings.maxTokens())
                .timeout(settings.timeout())
                .maxRetries(0)
                .build();
    }
}
