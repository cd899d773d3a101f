package io.caravan.embedding;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    private final long cls;
    private final long sep;

    public TokenCounter() {
        try (InputStream in = SingleThreadMiniLm.stream(SingleThreadMiniLm.TOKENIZER_RESOURCE)) {
            this.tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false", "truncation", "false"));
            long[] empty = ids(tokenizer, "", true);
            if (empty.length != 2) {
                throw new IllegalStateException("the tokenizer does not frame a text with [CLS] and [SEP]");
            }
            this.cls = empty[0];
            this.sep = empty[1];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SingleThreadMiniLm.TOKENIZER_RESOURCE, e);
        }
    }

    public int count(String text) {
        return ids(text).length;
    }

    /** The text's token ids, special tokens excluded: {@code ids(text).length} is {@link #count}. */
    public long[] ids(String text) {
        return text.isEmpty() ? new long[0] : ids(tokenizer, text, false);
    }

    /**
     * The model's input ids of texts joined by whitespace, from each text's {@link #ids}: [CLS], the pieces'
     * ids in order, [SEP]. WordPiece splits at whitespace before anything else, so this equals
     * {@link #inputIds} of the joined text, without tokenizing it again.
     */
    public long[] inputIds(List<long[]> pieces) {
        return joined(List.of(new long[] {cls}, joined(pieces), new long[] {sep}));
    }

    /** The ids of texts joined by whitespace: each text's {@link #ids}, in order (see {@link #inputIds(List)}). */
    public static long[] joined(List<long[]> pieces) {
        long[] ids = new long[pieces.stream().mapToInt(piece -> piece.length).sum()];
        int at = 0;
        for (long[] piece : pieces) {
            System.arraycopy(piece, 0, ids, at, piece.length);
            at += piece.length;
        }
        return ids;
    }

    /**
     * The model's input ids of the text: [CLS], its tokens, [SEP]; so {@code inputIds(text).length - 2} is
     * {@link #count}. Longer than {@link TextEmbedder#MAX_TOKENS} when the text does not fit the window.
     */
    public long[] inputIds(String text) {
        return ids(tokenizer, text, true);
    }

    /**
     * {@code tokenizer.encode(text, addSpecialTokens, false).getIds()}, for a tokenizer that does not lower-case
     * in Java (which {@code encode} would do first). {@code encode} fetches seven more arrays over JNI (the
     * tokens as strings, their character spans, masks, ...) that would be thrown away: for the chunker's one
     * call per sentence that was most of the tokenizer's cost. ChunkerTest compares the ids with {@code encode}'s.
     */
    static long[] ids(HuggingFaceTokenizer tokenizer, String text, boolean addSpecialTokens) {
        // encode's own check: a null reaching the native library would abort the process, not throw
        Objects.requireNonNull(text, "text cannot be null");
        long handle = tokenizer.getHandle();
        long encoding = TokenizersLibrary.LIB.encode(handle, text, addSpecialTokens);
        try {
            return TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
            Reference.reachabilityFence(tokenizer); // its finalizer frees the handle
        }
    }
}
