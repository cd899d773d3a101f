package io.caravan.llm;

import io.caravan.vector.VectorMatch;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
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
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "is", "are", "was", "were", "be",
            "of", "to", "in", "on", "for", "and", "or", "what", "which", "who", "how", "when", "where", "why",
            "do", "does", "did", "i", "you", "we", "it", "this", "that", "with", "by", "at", "as", "from", "our",
            "your", "my", "can", "should", "would");

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

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
        String flat = WHITESPACE.matcher(text).replaceAll(" ").strip();
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

    private static Set<String> terms(String text) {
        Set<String> terms = new HashSet<>();
        for (String word : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
            if (word.length() > 1 && !STOP_WORDS.contains(word)) {
                terms.add(word);
            }
        }
        return terms;
    }

    private static int words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? 0 : WHITESPACE.split(stripped).length;
    }
}
