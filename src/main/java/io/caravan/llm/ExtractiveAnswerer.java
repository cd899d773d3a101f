package io.caravan.llm;

import io.caravan.vector.VectorMatch;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The no-network answerer: picks the sentences of the retrieved passages that best match the question
 * (passage similarity plus word overlap) and returns them verbatim. Always available, never wrong about
 * what the corpus says, and the last resort of every route.
 */
@Component
public class ExtractiveAnswerer {

    public static final String NAME = "extractive";
    static final int MAX_SENTENCES = 3;
    static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "is", "are", "was", "were", "be",
            "of", "to", "in", "on", "for", "and", "or", "what", "which", "who", "how", "when", "where", "why",
            "do", "does", "did", "i", "you", "we", "it", "this", "that", "with", "by", "at", "as", "from", "our",
            "your", "my", "can", "should", "would");


    /** The answer text and how many tokens (words) it read and wrote, for usage reporting. */
    public record Result(String text, int promptTokens, int completionTokens) {
    }

    private record Scored(String sentence, double score, int order) {
    }

    public Result answer(String question, List<VectorMatch> matches) {
        if (matches.isEmpty()) {
            return new Result("I found nothing in your documents that answers this question.", words(question), 0);
        }
        Set<String> questionTerms = terms(question);
        List<Scored> scored = new ArrayList<>();
        int order = 0;
        int read = words(question);
        // one iterator per answer: creating one is the costly part (it is not thread-safe, so not shared)
        BreakIterator iterator = BreakIterator.getSentenceInstance(Locale.ROOT);
        for (VectorMatch match : matches) {
            read += words(match.chunk().text());
            for (String sentence : sentences(iterator, match.chunk().text())) {
                Set<String> sentenceTerms = terms(sentence);
                long overlap = questionTerms.stream().filter(sentenceTerms::contains).count();
                double lexical = questionTerms.isEmpty() ? 0 : (double) overlap / questionTerms.size();
                scored.add(new Scored(sentence, match.score() + lexical, order++));
            }
        }
        List<Scored> best = scored.stream()
                .sorted(Comparator.comparingDouble(Scored::score).reversed())
                .limit(MAX_SENTENCES)
                .sorted(Comparator.comparingInt(Scored::order))
                .toList();
        String text = String.join(" ", best.stream().map(Scored::sentence).distinct().toList());
        return new Result(text, read, words(text));
    }

    private static List<String> sentences(BreakIterator iterator, String text) {
        String flat = collapseWhitespace(text).strip();
        iterator.setText(flat);
        List<String> result = new ArrayList<>();
        int start = iterator.first();
        for (int end = iterator.next(); end != BreakIterator.DONE; start = end, end = iterator.next()) {
            String sentence = flat.substring(start, end).strip();
            if (!sentence.isEmpty()) {
                result.add(sentence);
            }
        }
        return result;
    }

    // the scans below replace the regular expressions \s+ and [^\p{L}\p{N}]+ (same results): they ran on
    // every sentence of every passage and were a tenth of a query's CPU outside the model and the store

    /** Runs of whitespace (Java's \s: space, \t, \n, \x0B, \f, \r) as one space. */
    static String collapseWhitespace(String text) {
        StringBuilder flat = new StringBuilder(text.length());
        boolean inSpace = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isSpace(c)) {
                if (!inSpace) {
                    flat.append(' ');
                }
                inSpace = true;
            } else {
                flat.append(c);
                inSpace = false;
            }
        }
        return flat.toString();
    }

    /** The distinct lower-case words (letters and numbers, two characters or more) that are not stop words. */
    static Set<String> terms(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        Set<String> terms = new HashSet<>();
        int start = -1;
        for (int i = 0; i <= lower.length(); ) {
            int cp = i < lower.length() ? lower.codePointAt(i) : ' ';
            if (isWordCodePoint(cp)) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                String word = lower.substring(start, i);
                if (word.length() > 1 && !STOP_WORDS.contains(word)) {
                    terms.add(word);
                }
                start = -1;
            }
            i += i < lower.length() ? Character.charCount(cp) : 1;
        }
        return terms;
    }

    /** How many whitespace-separated words the text has. */
    static int words(String text) {
        String stripped = text.strip();
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < stripped.length(); i++) {
            boolean space = isSpace(stripped.charAt(i));
            if (!space && !inWord) {
                count++;
            }
            inWord = !space;
        }
        return count;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** \p{L} or \p{N}. */
    private static boolean isWordCodePoint(int cp) {
        if (Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
