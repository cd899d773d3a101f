package io.caravan.llm;

/** A provider's answer with the tokens it reports having read and written. */
public record ChatReply(String text, int promptTokens, int completionTokens) {

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
