package io.caravan.ingest;

import io.caravan.embedding.TextEmbedder;
import io.caravan.embedding.TokenCounter;
import java.text.BreakIterator;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Splits text into chunks that fit the embedding model's window, counted with the model's own tokenizer,
 * so nothing is cut off unseen. Chunks follow paragraph and sentence boundaries, carry one short sentence
 * of overlap, and only fall back to word (then character) splits for sentences longer than the window.
 */
@Component
public class Chunker {

    /** Room for the text inside the 128-token window, after [CLS] and [SEP] and a small margin. */
    static final int MAX_TOKENS = TextEmbedder.MAX_TOKENS - 8;
    static final int OVERLAP_TOKENS = 24;
    static final int PARAGRAPH_FLUSH_TOKENS = MAX_TOKENS / 2;
    /**
     * The tokenizer's {@code max_input_chars_per_word}: a word longer than this (after lower-casing and accent
     * stripping) becomes a single [UNK] token, so counting tokens alone would let it through whole and unseen.
     */
    static final int MAX_WORD_CHARS = 100;
    /**
     * A safe upper bound of tokens per UTF-16 char of input: each WordPiece token covers at least one character
     * of the normalised text, and normalising (NFD, accents dropped, lower case) expands a char at most ~4x.
     */
    static final int MAX_TOKENS_PER_CHAR = 8;

    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n\\s*\\n");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final TokenCounter tokens;

    public Chunker(TokenCounter tokens) {
        this.tokens = tokens;
    }

    /** A unit of text (a sentence or a piece of one) with its token ids (special tokens excluded). */
    private record Unit(String text, long[] ids, boolean startsParagraph) {
        int tokens() {
            return ids.length;
        }
    }

    /**
     * A chunk with its exact token count (special tokens excluded), as the embedding budget needs it, and the
     * model's input ids (with [CLS] and [SEP]) from that same count, so the model need not tokenize it again.
     */
    public record Chunk(String text, int tokens, long[] inputIds) {
    }

    /**
     * @param maxChunks the document's chunk limit; exceeding it fails with reason {@code too_many_chunks}
     */
    public List<String> chunk(String text, int maxChunks) {
        return chunkCounted(text, maxChunks).stream().map(Chunk::text).toList();
    }

    /** {@link #chunk}, with each chunk's token count, so nobody has to tokenize the chunks again. */
    public List<Chunk> chunkCounted(String text, int maxChunks) {
        long limit = (long) maxChunks * MAX_TOKENS;
        // cheap early refusal: no chunk holds more than MAX_TOKENS, so more tokens than this cannot fit. A text
        // this short cannot have that many tokens (see MAX_TOKENS_PER_CHAR) and is not counted twice; the
        // chunk limit below still applies to it exactly.
        if ((long) text.length() * MAX_TOKENS_PER_CHAR > limit) {
            long total = tokens.count(text);
            if (total > limit) {
                throw new IngestFailure("chunk", "too_many_chunks", true, "the document has " + total
                        + " tokens; at most " + maxChunks + " chunks of " + MAX_TOKENS + " tokens are allowed");
            }
        }
        List<Chunk> chunks = new ArrayList<>();
        List<Unit> current = new ArrayList<>();
        int currentTokens = 0;
        for (Unit unit : units(text)) {
            boolean paragraphBreak = unit.startsParagraph() && currentTokens >= PARAGRAPH_FLUSH_TOKENS;
            if (!current.isEmpty() && (currentTokens + unit.tokens() > MAX_TOKENS || paragraphBreak)) {
                add(chunks, current, maxChunks);
                Unit last = current.get(current.size() - 1);
                current = new ArrayList<>();
                currentTokens = 0;
                if (!paragraphBreak && last.tokens() <= OVERLAP_TOKENS
                        && last.tokens() + unit.tokens() <= MAX_TOKENS) {
                    current.add(last);
                    currentTokens = last.tokens();
                }
            }
            current.add(unit);
            currentTokens += unit.tokens();
        }
        if (!current.isEmpty()) {
            add(chunks, current, maxChunks);
        }
        return chunks;
    }

    private void add(List<Chunk> chunks, List<Unit> units, int maxChunks) {
        StringBuilder text = new StringBuilder();
        for (Unit unit : units) {
            if (!text.isEmpty()) {
                text.append(unit.startsParagraph() ? "\n\n" : " ");
            }
            text.append(unit.text());
        }
        String chunk = text.toString();
        // units are joined by whitespace, where WordPiece splits first: their ids, in order, are exactly the
        // chunk's (ChunkerTest checks it against the tokenizer), and they are what the model embeds
        long[] inputIds = tokens.inputIds(units.stream().map(Unit::ids).toList());
        int count = inputIds.length - 2;
        if (count > MAX_TOKENS && units.size() > 1) {
            add(chunks, units.subList(0, units.size() / 2), maxChunks);
            add(chunks, units.subList(units.size() / 2, units.size()), maxChunks);
            return;
        }
        if (chunks.size() >= maxChunks) {
            throw new IngestFailure("chunk", "too_many_chunks", true,
                    "the document needs more than " + maxChunks + " chunks");
        }
        chunks.add(new Chunk(chunk, count, inputIds));
    }

    private List<Unit> units(String text) {
        List<Unit> units = new ArrayList<>();
        for (String paragraph : PARAGRAPH_BREAK.split(text)) {
            String flat = WHITESPACE.matcher(paragraph).replaceAll(" ").strip();
            if (flat.isEmpty()) {
                continue;
            }
            boolean first = true;
            for (String sentence : sentences(flat)) {
                long[] ids = tokens.ids(sentence);
                if (ids.length <= MAX_TOKENS && longestWord(sentence) <= MAX_WORD_CHARS) {
                    units.add(new Unit(sentence, ids, first));
                } else {
                    for (Unit piece : splitLong(sentence)) {
                        units.add(new Unit(piece.text(), piece.ids(), first));
                        first = false;
                    }
                }
                first = false;
            }
        }
        return units;
    }

    private static List<String> sentences(String paragraph) {
        BreakIterator iterator = BreakIterator.getSentenceInstance(Locale.ROOT);
        iterator.setText(paragraph);
        List<String> result = new ArrayList<>();
        int start = iterator.first();
        for (int end = iterator.next(); end != BreakIterator.DONE; start = end, end = iterator.next()) {
            String sentence = paragraph.substring(start, end).strip();
            if (!sentence.isEmpty()) {
                result.add(sentence);
            }
        }
        return result;
    }

    /** Splits an over-long sentence at word boundaries, and over-long words at characters. */
    private List<Unit> splitLong(String sentence) {
        List<Unit> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        List<long[]> pieceIds = new ArrayList<>();
        int pieceTokens = 0;
        for (String word : sentence.split(" ")) {
            long[] wordIds = tokens.ids(word);
            if (wordIds.length > MAX_TOKENS || longestWord(word) > MAX_WORD_CHARS) {
                if (!piece.isEmpty()) {
                    pieces.add(new Unit(piece.toString(), TokenCounter.joined(pieceIds), false));
                    piece.setLength(0);
                    pieceIds.clear();
                    pieceTokens = 0;
                }
                splitWord(word, pieces);
                continue;
            }
            if (pieceTokens + wordIds.length > MAX_TOKENS && !piece.isEmpty()) {
                pieces.add(new Unit(piece.toString(), TokenCounter.joined(pieceIds), false));
                piece.setLength(0);
                pieceIds.clear();
                pieceTokens = 0;
            }
            if (!piece.isEmpty()) {
                piece.append(' ');
            }
            piece.append(word);
            pieceIds.add(wordIds);
            pieceTokens += wordIds.length;
        }
        if (!piece.isEmpty()) {
            pieces.add(new Unit(piece.toString(), TokenCounter.joined(pieceIds), false));
        }
        return pieces;
    }

    /**
     * Cuts a word into pieces of at most {@link #MAX_WORD_CHARS} normalised characters: no piece becomes [UNK],
     * and as a WordPiece token covers at least one normalised character, each fits the window.
     */
    private void splitWord(String word, List<Unit> pieces) {
        int start = 0;
        int length = 0;
        for (int at = 0; at < word.length(); ) {
            int codePoint = word.codePointAt(at);
            int width = normalisedLength(codePoint);
            if (length + width > MAX_WORD_CHARS && at > start) {
                addPiece(word.substring(start, at), pieces);
                start = at;
                length = 0;
            }
            length += width;
            at += Character.charCount(codePoint);
        }
        if (start < word.length()) {
            addPiece(word.substring(start), pieces);
        }
    }

    private void addPiece(String part, List<Unit> pieces) {
        pieces.add(new Unit(part, tokens.ids(part), false));
    }

    /**
     * The longest run the tokenizer keeps as one word: its pre-tokenizer cuts at whitespace, punctuation and
     * CJK ideographs; the length is counted as the normaliser sees it (lower-cased, decomposed; an upper bound).
     */
    static int longestWord(String text) {
        int longest = 0;
        int run = 0;
        for (int at = 0; at < text.length(); ) {
            int codePoint = text.codePointAt(at);
            if (codePoint < 128) { // ASCII, most text: no script lookup, and it normalises to one char
                if (Character.isWhitespace(codePoint) || isBertPunctuation(codePoint)) {
                    run = 0;
                } else {
                    longest = Math.max(longest, ++run);
                }
                at++;
                continue;
            }
            if (Character.isWhitespace(codePoint) || isBertPunctuation(codePoint)
                    || Character.UnicodeScript.of(codePoint) == Character.UnicodeScript.HAN) {
                run = 0;
            } else {
                run += normalisedLength(codePoint);
                longest = Math.max(longest, run);
            }
            at += Character.charCount(codePoint);
        }
        return longest;
    }

    private static boolean isBertPunctuation(int codePoint) {
        if ((codePoint >= 33 && codePoint <= 47) || (codePoint >= 58 && codePoint <= 64)
                || (codePoint >= 91 && codePoint <= 96) || (codePoint >= 123 && codePoint <= 126)) {
            return true;
        }
        return switch (Character.getType(codePoint)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    private static int normalisedLength(int codePoint) {
        String lower = new String(Character.toChars(codePoint)).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(lower, Normalizer.Form.NFD).length();
    }
}
