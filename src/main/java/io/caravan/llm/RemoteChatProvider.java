package io.caravan.llm;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.caravan.secrets.TenantSecrets;
import io.caravan.tenancy.TenantId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A provider reached over the network through a LangChain4j {@link ChatModel}. Uses the tenant's own key when
 * the tenant has the secret {@code llm-<name>-api-key}, else the platform key. Models are built once per key:
 * the platform model is shared, a tenant's own-key model is cached under the tenant (one entry per tenant,
 * replaced when the key changes, recognised by its hash so the key itself is never a map key).
 */
abstract class RemoteChatProvider implements ChatProvider {

    private final String name;
    private final LlmProperties.Provider settings;
    private final TenantSecrets secrets;
    private final ConcurrentMap<TenantId, KeyedModel> tenantModels = new ConcurrentHashMap<>();
    private volatile ChatModel platformModel;

    private record KeyedModel(String keyHash, ChatModel model) {
    }

    RemoteChatProvider(String name, LlmProperties.Provider settings, TenantSecrets secrets) {
        this.name = name;
        this.settings = settings;
        this.secrets = secrets;
    }

    /** Builds the client for one key; LangChain4j's own retries are off (the route is the retry). */
    abstract ChatModel build(LlmProperties.Provider settings, String apiKey);

    /** Whether calls without any key make sense (local OpenAI-compatible servers need none). */
    abstract boolean keyOptional();

    @Override
    public String name() {
        return name;
    }

    @Override
    public String model() {
        return settings.model();
    }

    @Override
    public int maxCompletionTokens() {
        return settings.maxTokens();
    }

    @Override
    public boolean remote() {
        return true;
    }

    static String secretName(String provider) {
        return "llm-" + provider + "-api-key";
    }

    @Override
    public ChatReply chat(TenantId tenant, ChatPrompt prompt) {
        ChatResponse response = modelFor(tenant).chat(SystemMessage.from(prompt.system()), UserMessage.from(prompt.user()));
        AiMessage message = response.aiMessage();
        String text = message == null ? null : message.text();
        if (text == null || text.isBlank()) {
            throw new IllegalStateException("provider '" + name + "' returned no text");
        }
        TokenUsage usage = response.tokenUsage();
        // providers report usage; when one does not, the estimate stands in (documented in PromptBuilder)
        int promptTokens = usage == null || usage.inputTokenCount() == null
                ? prompt.estimatedTokens() : usage.inputTokenCount();
        int completionTokens = usage == null || usage.outputTokenCount() == null
                ? PromptBuilder.estimateTokens(text) : usage.outputTokenCount();
        return new ChatReply(text.strip(), promptTokens, completionTokens);
    }

    /** Forgets the tenant's own-key model (tenant erased). */
    void forget(TenantId tenant) {
        tenantModels.remove(tenant);
    }

    private ChatModel modelFor(TenantId tenant) {
        Optional<String> own = secrets.read(tenant, secretName(name)).filter(key -> !key.isBlank());
        if (own.isPresent()) {
            String hash = sha256(own.get());
            return tenantModels.compute(tenant, (t, current) -> current != null && current.keyHash().equals(hash)
                    ? current : new KeyedModel(hash, build(settings, own.get()))).model();
        }
        tenantModels.remove(tenant);
        if (!settings.hasApiKey() && !keyOptional()) {
            throw new ProviderUnavailableException("provider '" + name + "' has no API key for this tenant");
        }
        ChatModel model = platformModel;
        if (model == null) {
            synchronized (this) {
                if (platformModel == null) {
                    platformModel = build(settings, settings.hasApiKey() ? settings.apiKey() : null);
                }
                model = platformModel;
            }
        }
        return model;
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
