package io.caravan.ingest;

import io.caravan.embedding.TextEmbedder;
import io.caravan.embedding.TokenCounter;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    private final TokenCounter tokens;

    public Chunker(TokenCounter tokens) {
        this.tokens = tokens;
    }

    /** A unit of text (a sentence or a piece of one) with its token count. */
    private record Unit(String text, int tokens, boolean startsParagraph) {
    }

    /**
     * @param maxChunks the document's chunk limit; exceeding it fails with reason {@code too_many_chunks}
     */
    public List<String> chunk(String text, int maxChunks) {
        List<String> chunks = new ArrayList<>();
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

    private void add(List<String> chunks, List<Unit> units, int maxChunks) {
        StringBuilder text = new StringBuilder();
        for (Unit unit : units) {
            if (!text.isEmpty()) {
                text.append(unit.startsParagraph() ? "\n\n" : " ");
            }
            text.append(unit.text());
        }
        String chunk = text.toString();
        // the sum of unit counts is exact for WordPiece, but verify: a chunk must never exceed the window
        if (tokens.count(chunk) > MAX_TOKENS && units.size() > 1) {
            add(chunks, units.subList(0, units.size() / 2), maxChunks);
            add(chunks, units.subList(units.size() / 2, units.size()), maxChunks);
            return;
        }
        if (chunks.size() >= maxChunks) {
            throw new IngestFailure("chunk", "too_many_chunks", true,
                    "the document needs more than " + maxChunks + " chunks");
        }
        chunks.add(chunk);
    }

    private List<Unit> units(String text) {
        List<Unit> units = new ArrayList<>();
        for (String paragraph : text.split("\\n\\s*\\n")) {
            String flat = paragraph.replaceAll("\\s+", " ").strip();
            if (flat.isEmpty()) {
                continue;
            }
            boolean first = true;
            for (String sentence : sentences(flat)) {
                int count = tokens.count(sentence);
                if (count <= MAX_TOKENS) {
                    units.add(new Unit(sentence, count, first));
                } else {
                    for (Unit piece : splitLong(sentence)) {
                        units.add(new Unit(piece.text(), piece.tokens(), first));
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
        int pieceTokens = 0;
        for (String word : sentence.split(" ")) {
            int wordTokens = tokens.count(word);
            if (wordTokens > MAX_TOKENS) {
                if (!piece.isEmpty()) {
                    pieces.add(new Unit(piece.toString(), pieceTokens, false));
                    piece.setLength(0);
                    pieceTokens = 0;
                }
                splitWord(word, pieces);
                continue;
            }
            if (pieceTokens + wordTokens > MAX_TOKENS && !piece.isEmpty()) {
                pieces.add(new Unit(piece.toString(), pieceTokens, false));
                piece.setLength(0);
                pieceTokens = 0;
            }
            if (!piece.isEmpty()) {
                piece.append(' ');
            }
            piece.append(word);
            pieceTokens += wordTokens;
        }
        if (!piece.isEmpty()) {
            pieces.add(new Unit(piece.toString(), pieceTokens, false));
        }
        return pieces;
    }

    /** A WordPiece token covers at least one character, so MAX_TOKENS characters always fit. */
    private void splitWord(String word, List<Unit> pieces) {
        for (int start = 0; start < word.length(); start += MAX_TOKENS) {
            int end = Math.min(word.length(), start + MAX_TOKENS);
            if (end < word.length() && Character.isHighSurrogate(word.charAt(end - 1))) {
                end--;
            }
            String part = word.substring(start, end);
            pieces.add(new Unit(part, tokens.count(part), false));
            start = end - MAX_TOKENS;
        }
    }
}
