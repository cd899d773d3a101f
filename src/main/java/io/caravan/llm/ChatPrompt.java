package io.caravan.llm;

import io.caravan.vector.VectorMatch;
import java.util.List;

/**
 * What a provider is asked: the system and user messages sent over the network, plus the question and passages
 * they were built from (the extractive answerer reads those directly).
 *
 * @param estimatedTokens rough prompt size used for budget reservations (see {@link PromptBuilder#estimateTokens})
 */
public record ChatPrompt(String system, String user, String question, List<VectorMatch> passages,
                         int estimatedTokens) {

    public ChatPrompt {
        passages = List.copyOf(passages);
    }
}
