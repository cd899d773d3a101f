package io.caravan.embedding;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Counts tokens with the embedding model's own WordPiece tokenizer (special tokens excluded), and gives the
 * model's input ids of a text, so a text that was tokenized to be counted need not be tokenized again to be
 * embedded ({@link TextEmbedder#embedAllTokenized}).
 */
@Component
public class TokenCounter {

    /** The model's tokenizer, never truncating (a count must be exact at any length) and never padding. */
    private final HuggingFaceTokenizer tokenizer;

    public TokenCounter() {
        try (InputStream in = SingleThreadMiniLm.stream(SingleThreadMiniLm.TOKENIZER_RESOURCE)) {
            this.tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false", "truncation", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SingleThreadMiniLm.TOKENIZER_RESOURCE, e);
        }
    }

    public int count(String text) {
        return text.isEmpty() ? 0 : tokenizer.encode(text, false, false).getIds().length;
    }

    /**
     * The model's input ids of the text: [CLS], its tokens, [SEP]; so {@code inputIds(text).length - 2} is
     * {@link #count}. Longer than {@link TextEmbedder#MAX_TOKENS} when the text does not fit the window.
     */
    public long[] inputIds(String text) {
        return tokenizer.encode(text, true, false).getIds();
    }
}
