package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.caravan.embedding.TextEmbedder;
import io.caravan.embedding.TokenCounter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chunker against the real tokenizer. Every size is re-measured here with {@link TokenCounter}, and the
 * model's own tokenizer checks that nothing in a chunk collapses into [UNK] (invisible to the embedding).
 */
class ChunkerTest {

    /** The model's window minus [CLS] and [SEP]. */
    private static final int WINDOW = TextEmbedder.MAX_TOKENS - 2;

    private static TokenCounter tokens;
    private static HuggingFaceTokenizer modelTokenizer;
    private static Chunker chunker;

    @BeforeAll
    static void tokenizers() throws IOException {
        tokens = new TokenCounter();
        chunker = new Chunker(tokens);
        try (InputStream json = TextEmbedder.class.getClassLoader()
                .getResourceAsStream("all-minilm-l6-v2-q-tokenizer.json")) {
            assertThat(json).as("the embedding model's tokenizer on the classpath").isNotNull();
            modelTokenizer = HuggingFaceTokenizer.newInstance(json,
                    Map.of("truncation", "false", "padding", "false"));
        }
    }

    @AfterAll
    static void close() {
        modelTokenizer.close();
    }

    @Test
    void aNullTextIsRefusedBeforeItReachesTheNativeTokenizer() {
        assertThatNullPointerException().isThrownBy(() -> tokens.inputIds((String) null))
                .withMessage("text cannot be null");
    }

    // ---- invariants checked on every result ----------------------------------------------------------------

    private static List<String> chunk(String text) {
        List<Chunker.Chunk> counted = chunker.chunkCounted(text, 100_000);
        List<String> chunks = counted.stream().map(Chunker.Chunk::text).toList();
        assertFitsTheWindow(chunks);
        assertCoversInOrder(text, chunks);
        assertIdsAreTheModelTokenizers(counted);
        return chunks;
    }

    /** The ids a chunk carries (assembled from its pieces) are exactly the tokenizer's ids of its text. */
    private static void assertIdsAreTheModelTokenizers(List<Chunker.Chunk> chunks) {
        for (Chunker.Chunk chunk : chunks) {
            long[] expected = modelTokenizer.encode(chunk.text(), true, false).getIds();
            assertThat(chunk.inputIds()).as(abbreviate(chunk.text())).containsExactly(expected);
            assertThat(chunk.tokens()).isEqualTo(expected.length - 2);
        }
    }

    private static void assertFitsTheWindow(List<String> chunks) {
        for (String chunk : chunks) {
            assertThat(chunk).isNotBlank();
            assertThat(tokens.count(chunk)).as("tokens of chunk %s", abbreviate(chunk)).isLessThanOrEqualTo(WINDOW);
            String[] modelTokens = modelTokenizer.encode(chunk, true, false).getTokens();
            assertThat(modelTokens.length).as("model tokens incl. [CLS]/[SEP] of %s", abbreviate(chunk))
                    .isLessThanOrEqualTo(TextEmbedder.MAX_TOKENS);
        }
    }

    /**
     * No text is lost and order is kept: ignoring whitespace, each chunk is a contiguous piece of the input that
     * starts after the previous chunk's start and no later than its end (overlap allowed, gaps not), and the
     * last chunk reaches the end of the input.
     */
    private static void assertCoversInOrder(String input, List<String> chunks) {
        String all = input.replaceAll("\\s+", "");
        if (all.isEmpty()) {
            assertThat(chunks).isEmpty();
            return;
        }
        assertThat(chunks).isNotEmpty();
        int previousStart = -1;
        int previousEnd = 0;
        for (int i = 0; i < chunks.size(); i++) {
            String piece = chunks.get(i).replaceAll("\\s+", "");
            // of the places where the chunk occurs after the previous start and without a gap, take the last
            // (repetitive input occurs at many places)
            int start = -1;
            for (int at = all.indexOf(piece, previousStart + 1); at >= 0 && at <= previousEnd;
                 at = all.indexOf(piece, at + 1)) {
                start = at;
            }
            assertThat(start).as("chunk %d (%s) is a piece of the input after chunk %d, without a gap", i,
                    abbreviate(piece), i - 1).isGreaterThanOrEqualTo(0);
            assertThat(start + piece.length()).as("chunk %d adds new text", i).isGreaterThan(previousEnd);
            previousStart = start;
            previousEnd = start + piece.length();
        }
        assertThat(previousEnd).as("the chunks reach the end of the input").isEqualTo(all.length());
    }

    private static void assertNoUnknownTokens(List<String> chunks) {
        for (String chunk : chunks) {
            assertThat(modelTokenizer.encode(chunk, false, false).getTokens())
                    .as("model tokens of %s", abbreviate(chunk)).doesNotContain("[UNK]");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…(" + text.length() + " chars)";
    }

    // ---- prose -------------------------------------------------------------------------------------------

    private static final String[] TOPICS = {"billing", "onboarding", "refunds", "shipping", "security", "invoices",
            "returns", "warranty", "accounts", "passwords"};

    /** Distinct, short sentences (about a dozen tokens each). */
    private static String sentence(int i) {
        return "Sentence " + i + " explains how the " + TOPICS[i % TOPICS.length] + " team handles case " + (i * 7)
                + " for customers.";
    }

    private static List<String> sentences(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(ChunkerTest::sentence).toList();
    }

    @Test
    void blankTextHasNoChunks() {
        assertThat(chunker.chunk("", 10)).isEmpty();
        assertThat(chunker.chunk(" \n\n \t\n", 10)).isEmpty();
    }

    @Test
    void shortTextIsOneChunkUnchanged() {
        assertThat(chunk("Caravan keeps every tenant apart. It answers questions."))
                .containsExactly("Caravan keeps every tenant apart. It answers questions.");
    }

    @Test
    void paragraphsThatFitBecomeOneChunkEach() {
        // paragraphs of 65..110 tokens: above the flush threshold, below the window
        List<List<String>> paragraphs = new ArrayList<>();
        int next = 0;
        for (int p = 0; p < 6; p++) {
            List<String> paragraph = new ArrayList<>();
            while (tokens.count(String.join(" ", paragraph)) < 65) {
                paragraph.add(sentence(next++));
            }
            assertThat(tokens.count(String.join(" ", paragraph))).isBetween(65, 110);
            paragraphs.add(paragraph);
        }
        // the input wraps lines inside paragraphs, as text extracted from files does
        String text = paragraphs.stream().map(p -> String.join("\n", p)).collect(Collectors.joining("\n\n"));

        List<String> chunks = chunk(text);

        assertThat(chunks).containsExactlyElementsOf(paragraphs.stream().map(p -> String.join(" ", p)).toList());
    }

    @Test
    void shortParagraphsAreKeptTogetherWithTheirBreaks() {
        String text = "First short paragraph.\n\nSecond short paragraph.\n\n\nThird one.";
        assertThat(chunk(text)).containsExactly("First short paragraph.\n\nSecond short paragraph.\n\nThird one.");
    }

    @Test
    void longParagraphIsCutAtSentencesWithOneSentenceOfOverlap() {
        List<String> all = sentences(0, 80);
        List<String> chunks = chunk(String.join(" ", all));

        assertThat(chunks).hasSizeGreaterThan(5);
        List<List<String>> split = new ArrayList<>();
        for (String chunk : chunks) {
            // every chunk is a run of whole sentences of the input
            List<String> parts = Arrays.asList(chunk.split("(?<=\\.) "));
            int first = all.indexOf(parts.get(0));
            assertThat(first).as("chunk starts at a sentence: %s", abbreviate(chunk)).isGreaterThanOrEqualTo(0);
            assertThat(parts).as("whole consecutive sentences").isEqualTo(all.subList(first, first + parts.size()));
            split.add(parts);
        }
        for (int i = 1; i < split.size(); i++) {
            List<String> previous = split.get(i - 1);
            List<String> current = split.get(i);
            assertThat(current.get(0)).as("chunk %d starts with the last sentence of chunk %d", i, i - 1)
                    .isEqualTo(previous.get(previous.size() - 1));
            assertThat(previous).as("only one sentence overlaps").doesNotContain(current.get(1));
        }
        // chunks are filled, not cut at every sentence
        assertThat(tokens.count(chunks.get(0))).isGreaterThan(WINDOW / 2);
    }

    @Test
    void noOverlapAcrossAParagraphBreak() {
        List<String> first = sentences(0, 7);
        List<String> second = sentences(100, 7);
        assertThat(tokens.count(String.join(" ", first))).isBetween(61, 110);

        List<String> chunks = chunk(String.join(" ", first) + "\n\n" + String.join(" ", second));

        assertThat(chunks).containsExactly(String.join(" ", first), String.join(" ", second));
    }

    // ---- over-long input ---------------------------------------------------------------------------------

    @Test
    void sentenceOfTwoThousandWordsIsSplitAtWords() {
        Random random = new Random(42);
        String words = IntStream.range(0, 2000).mapToObj(i -> randomWord(random, 3 + random.nextInt(8)))
                .collect(Collectors.joining(" "));
        String text = "Start " + words + " end.";

        List<String> chunks = chunk(text);

        assertThat(tokens.count(text)).isGreaterThan(10 * WINDOW);
        assertThat(chunks).hasSizeGreaterThan(10);
        // cut between words: every chunk is made of whole words of the input
        List<String> inputWords = Arrays.asList(text.split(" "));
        for (String chunk : chunks) {
            assertThat(inputWords).containsAll(Arrays.asList(chunk.split(" ")));
        }
        assertNoUnknownTokens(chunks);
    }

    @Test
    void twentyThousandCharacterWordIsSplitAndStaysVisibleToTheModel() {
        Random random = new Random(7);
        String word = randomWord(random, 20_000);

        List<String> chunks = chunk(word);

        assertThat(chunks).hasSizeGreaterThan(1);
        assertNoUnknownTokens(chunks);
    }

    @Test
    void wordOfHundredsOfCharactersInsideProseIsSplitToo() {
        String hash = randomWord(new Random(3), 300);
        String text = "The checksum is " + hash + " and it was verified. Nothing else changed.";

        List<String> chunks = chunk(text);

        assertNoUnknownTokens(chunks);
        assertThat(String.join(" ", chunks)).contains("The checksum is").contains("Nothing else changed.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "7", "é", "한국어", "x-y_z/", "日本語", "🚀", "a\u0301"})
    void longRunsWithoutSpacesFitWhateverTheirScript(String unit) {
        String text = unit.repeat(20_000 / unit.length());

        List<String> chunks = chunk(text);

        assertThat(chunks).hasSizeGreaterThan(1);
    }

    @Test
    void randomMessyTextAlwaysFitsAndLosesNothing() {
        Random random = new Random(2024);
        String[] pieces = {"word", "Ünïcödé", "日本語のテキスト", "🚀", "https://docs.example.test/a/b?c=d&e=f",
                "e-mail@example.test", "...", "!", "—", "\t", "\n", "\n\n", "x".repeat(150), "0123456789".repeat(15),
                "Ordinary sentence here.", "A question?", "(parenthesised)", "snake_case_identifier_name"};
        for (int round = 0; round < 5; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 600; i++) {
                text.append(pieces[random.nextInt(pieces.length)]);
                text.append(random.nextInt(4) == 0 ? "" : " ");
            }
            chunk(text.toString());
        }
    }

    // ---- token counts ------------------------------------------------------------------------------------

    @Test
    void countedChunksCarryTheirExactTokenCount() {
        String text = String.join("\n\n", sentences(0, 40)) + " 日本語 Ünïcödé 🚀 " + "x".repeat(150);
        List<Chunker.Chunk> counted = chunker.chunkCounted(text, 100_000);

        assertThat(counted).extracting(Chunker.Chunk::text).containsExactlyElementsOf(chunk(text));
        for (Chunker.Chunk chunk : counted) {
            assertThat(chunk.tokens()).as(abbreviate(chunk.text())).isEqualTo(tokens.count(chunk.text()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "é", "한국어", "x-y_z/", "日本語", "🚀", "a\u0301", "İ", "ǅ", "ﬃ", "…", "Ⅻ", "①",
            "\u1E69", "\uD55C\u1100", ".,;:!?", "\u0130\u0130"})
    void theEarlyRefusalBoundHoldsForAnyScript(String unit) {
        // the chunker skips counting texts this bound says cannot exceed the limit: it must never undercount
        String text = unit.repeat(200);
        assertThat((long) tokens.count(text)).isLessThanOrEqualTo((long) text.length() * Chunker.MAX_TOKENS_PER_CHAR);
        String spaced = String.join(" ", java.util.Collections.nCopies(200, unit));
        assertThat((long) tokens.count(spaced))
                .isLessThanOrEqualTo((long) spaced.length() * Chunker.MAX_TOKENS_PER_CHAR);
    }

    // ---- limits ------------------------------------------------------------------------------------------

    @Test
    void tooManyChunksFailsWithTheQuarantineReason() {
        String text = String.join(" ", sentences(0, 200));
        int needed = chunker.chunk(text, 100_000).size();
        assertThat(needed).isGreaterThan(3);

        assertThat(chunker.chunk(text, needed)).hasSize(needed);
        assertThatThrownBy(() -> chunker.chunk(text, needed - 1))
                .isInstanceOfSatisfying(IngestFailure.class, failure -> {
                    assertThat(failure.reason()).isEqualTo("too_many_chunks");
                    assertThat(failure.stage()).isEqualTo("chunk");
                    assertThat(failure.permanent()).isTrue();
                });
        assertThatThrownBy(() -> chunker.chunk(text, 1))
                .isInstanceOfSatisfying(IngestFailure.class,
                        failure -> assertThat(failure.reason()).isEqualTo("too_many_chunks"));
    }

    @Test
    void tooManyChunksAlsoAppliesToOneGiantWord() {
        String word = randomWord(new Random(11), 20_000);
        assertThatThrownBy(() -> chunker.chunk(word, 5))
                .isInstanceOfSatisfying(IngestFailure.class,
                        failure -> assertThat(failure.reason()).isEqualTo("too_many_chunks"));
    }

    private static String randomWord(Random random, int length) {
        StringBuilder word = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
    }
}
