package io.caravan.embedding;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param threads embedding threads shared by all callers, each running one segment at a time with a
 *                single-threaded ONNX session; 0 means one per available processor
 */
@ConfigurationProperties("caravan.embedding")
public record EmbeddingSettings(@DefaultValue("0") int threads) {

    public EmbeddingSettings {
        if (threads < 0) {
            throw new IllegalArgumentException("caravan.embedding.threads must be 0 (one per core) or positive");
        }
    }

    /** The configured count, or one per available processor. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
