package io.caravan.embedding;

import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import org.springframework.stereotype.Component;

/** Counts tokens with the embedding model's own WordPiece tokenizer (special tokens excluded). */
@Component
public class TokenCounter {

    private final HuggingFaceTokenCountEstimator estimator = new HuggingFaceTokenCountEstimator();

    public int count(String text) {
        return text.isEmpty() ? 0 : estimator.estimateTokenCountInText(text);
    }
}
