package io.caravan.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The single-threaded session must embed exactly like langchain4j's own all-MiniLM-L6-v2 (quantized) model,
 * so switching to it changes nothing about retrieval, only the speed.
 */
class TextEmbedderTest {

    private static final List<String> TEXTS = List.of(
            "Acme refunds every purchase within 14 days of the return.",
            "Globex accepts returns for 90 days and refunds them as store credit.",
            "How long do I have to return something?",
            "Le chat dort sur le canapé pendant que la pluie tombe.",
            "x",
            // about the whole 128-token window
            ("The quarterly report covers revenue, churn, hiring plans and the migration of the billing system "
                    + "to the new provider, which finance expects to finish before the audit. ").repeat(4));

    private static TextEmbedder embedder;
    private static AllMiniLmL6V2QuantizedEmbeddingModel reference;

    @BeforeAll
    static void models() {
        embedder = new TextEmbedder(new EmbeddingSettings(2));
        reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void embedsLikeTheLangchain4jModel() {
        for (String text : TEXTS) {
            float[] expected = reference.embed(text).content().vector();
            float[] actual = embedder.embed(text);
            assertThat(actual).hasSize(384);
            assertThat(cosine(actual, expected)).as(text).isGreaterThan(0.9999);
            assertThat(cosine(embedder.embedAll(List.of(text)).get(0), expected)).as(text).isGreaterThan(0.9999);
        }
    }

    @Test
    void embedAllKeepsTheOrderAndMatchesSingleCalls() {
        List<float[]> all = embedder.embedAll(TEXTS);
        List<float[]> expected = reference.embedAll(TEXTS.stream().map(TextSegment::from).toList()).content()
                .stream().map(e -> e.vector()).toList();
        assertThat(all).hasSameSizeAs(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(cosine(all.get(i), expected.get(i))).as(TEXTS.get(i)).isGreaterThan(0.9999);
            assertThat(cosine(all.get(i), embedder.embed(TEXTS.get(i)))).isGreaterThan(0.9999);
        }
    }

    @Test
    void embedsTheChunkersInputIdsLikeTheTexts() {
        TokenCounter tokens = new TokenCounter();
        List<long[]> ids = TEXTS.stream().map(tokens::inputIds).toList();
        List<float[]> fromIds = embedder.embedAllTokenized(TEXTS, ids);
        List<float[]> fromTexts = embedder.embedAll(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(ids.get(i).length - 2).isEqualTo(tokens.count(TEXTS.get(i)));
            // the same ids in the same session: the very same floats
            assertThat(fromIds.get(i)).as(TEXTS.get(i)).containsExactly(fromTexts.get(i));
            assertThat(cosine(fromIds.get(i), reference.embed(TEXTS.get(i)).content().vector())).isGreaterThan(0.9999);
        }
        // ids longer than the window fall back to the text, which the model truncates like every text
        String longText = "word ".repeat(300);
        long[] longIds = tokens.inputIds(longText);
        assertThat(longIds.length).isGreaterThan(TextEmbedder.MAX_TOKENS);
        assertThat(embedder.embedAllTokenized(List.of(longText), List.of(longIds)).get(0))
                .containsExactly(embedder.embed(longText));
        assertThat(cosine(embedder.embed(longText), reference.embed(longText).content().vector())).isGreaterThan(0.9999);
    }

    @Test
    void manyCallersShareThePool() throws InterruptedException {
        List<float[]> expected = embedder.embedAll(TEXTS);
        List<Thread> callers = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < 4; c++) {
            Thread caller = new Thread(() -> {
                try {
                    List<float[]> got = embedder.embedAll(TEXTS);
                    for (int i = 0; i < TEXTS.size(); i++) {
                        assertThat(cosine(got.get(i), expected.get(i))).isGreaterThan(0.9999);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            caller.start();
            callers.add(caller);
        }
        for (Thread caller : callers) {
            caller.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aClosedEmbedderRefusesWork() {
        TextEmbedder closed = new TextEmbedder(new EmbeddingSettings(1));
        closed.close();
        assertThatThrownBy(() -> closed.embedAll(TEXTS)).isInstanceOf(RuntimeException.class);
        // a question embedded on its caller's thread gets a clear error, never a call into the freed session
        assertThatThrownBy(() -> closed.embed("still there?")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        closed.close(); // a second close frees nothing twice
    }

    @Test
    void threadsDefaultToTheCores() {
        assertThat(new EmbeddingSettings(0).effectiveThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(new EmbeddingSettings(3).effectiveThreads()).isEqualTo(3);
        assertThatThrownBy(() -> new EmbeddingSettings(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / (Math.sqrt(na) * Math.sqrt(nb));
    }
}
