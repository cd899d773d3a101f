package io.caravan.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.vector.VectorChunk;
import io.caravan.vector.VectorMatch;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The extractive answerer's choice of sentences, and its text scans against the regular expressions they replace. */
class ExtractiveAnswererTest {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final String ALPHABET = "ab Z9 \t\n\u000B\f\r.,;-'é߀ⅫΣ½٣\u00A0\u2003İ\uD835\uDC00\uD83D\uDE00_";

    private final ExtractiveAnswerer answerer = new ExtractiveAnswerer();

    private static VectorMatch match(String documentId, String text, double score) {
        return new VectorMatch(new VectorChunk(documentId + "-0", documentId, 0, documentId, "upload", null, text,
                new float[0]), score);
    }

    @Test
    void picksTheSentencesThatShareTheQuestionsWordsInTheirOrder() {
        ExtractiveAnswerer.Result result = answerer.answer("When was the warehouse contract renewed?", List.of(
                match("d1", "The cafeteria opens at nine. The warehouse contract was renewed in March.", 0.5),
                match("d2", "Nobody asked about parking.\nThe   contract for the warehouse runs two years.", 0.4)));

        // best three by passage score + share of the question's words, told in the passages' order
        assertThat(result.text()).isEqualTo("The cafeteria opens at nine. The warehouse contract was renewed in "
                + "March. The contract for the warehouse runs two years.");
        assertThat(result.promptTokens()).isEqualTo(6 + 12 + 12);
        assertThat(result.completionTokens()).isEqualTo(20);
    }

    @Test
    void withoutPassagesItSaysSo() {
        ExtractiveAnswerer.Result result = answerer.answer("  anything at all? ", List.of());

        assertThat(result.text()).contains("found nothing");
        assertThat(result.promptTokens()).isEqualTo(3);
        assertThat(result.completionTokens()).isZero();
    }

    @Test
    void theScansAgreeWithTheRegularExpressionsOnRandomText() {
        Random random = new Random(5);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            while (text.length() < length) {
                int at = random.nextInt(ALPHABET.length());
                char c = ALPHABET.charAt(at);
                if (Character.isHighSurrogate(c) && at + 1 < ALPHABET.length()) {
                    text.append(c).append(ALPHABET.charAt(at + 1));
                } else if (!Character.isLowSurrogate(c)) {
                    text.append(c);
                }
            }
            String s = text.toString();
            assertThat(ExtractiveAnswerer.collapseWhitespace(s)).as(s).isEqualTo(WHITESPACE.matcher(s).replaceAll(" "));
            String stripped = s.strip();
            assertThat(ExtractiveAnswerer.words(s)).as(s)
                    .isEqualTo(stripped.isEmpty() ? 0 : WHITESPACE.split(stripped).length);
            assertThat(ExtractiveAnswerer.terms(s)).as(s).isEqualTo(regexTerms(s));
        }
    }

    private static Set<String> regexTerms(String text) {
        Set<String> terms = new HashSet<>();
        for (String word : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
            if (word.length() > 1 && !ExtractiveAnswerer.STOP_WORDS.contains(word)) {
                terms.add(word);
            }
        }
        return terms;
    }
}
