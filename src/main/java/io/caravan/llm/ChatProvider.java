package io.caravan.llm;

import io.caravan.tenancy.TenantId;

/**
 * One configured LLM provider. {@link #chat} either answers or throws: the router turns the exception into the
 * attempt's outcome ({@link ProviderUnavailableException} means skipped; timeouts and everything else count
 * against the tenant's circuit breaker for this provider).
 */
public interface ChatProvider {

    /** The configured name (the route entry, the metric label, the tenant secret {@code llm-<name>-api-key}). */
    String name();

    /** {@code openai}, {@code anthropic} or {@code extractive}. */
    String type();

    String model();

    /** Most completion tokens one call may write; reserved from the budget before the call. */
    int maxCompletionTokens();

    /** False for the local extractive answerer: no network, no circuit breaker, no budget. */
    boolean remote();

    ChatReply chat(TenantId tenant, ChatPrompt prompt);
}
