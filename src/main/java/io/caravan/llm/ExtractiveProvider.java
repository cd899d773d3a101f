package io.caravan.llm;

import io.caravan.tenancy.TenantId;

/** The local answerer as a provider: the last resort of a route, it needs no network and cannot fail. */
final class ExtractiveProvider implements ChatProvider {

    private final String name;
    private final ExtractiveAnswerer answerer;

    ExtractiveProvider(String name, ExtractiveAnswerer answerer) {
        this.name = name;
        this.answerer = answerer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return ProviderType.EXTRACTIVE.wire();
    }

    @Override
    public String model() {
        return ExtractiveAnswerer.NAME;
    }

    @Override
    public int maxCompletionTokens() {
        return 0;
    }

    @Override
    public boolean remote() {
        return false;
    }

    @Override
    public ChatReply chat(TenantId tenant, ChatPrompt prompt) {
        ExtractiveAnswerer.Result result = answerer.answer(prompt.question(), prompt.passages());
        return new ChatReply(result.text(), result.promptTokens(), result.completionTokens());
    }
}
