package io.caravan.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.embedding.EmbeddingSettings;
import io.caravan.embedding.TextEmbedder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A question's embedding started early is the embedding the route would compute, and fails as it would. */
class QuestionEmbeddingsTest {

    private static TextEmbedder embedder;

    @BeforeAll
    static void model() {
        embedder = new TextEmbedder(new EmbeddingSettings(1));
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void startedEmbeddingsAreTheCallersOwnEvenWhenMoreAreAskedThanThereAreThreads() {
        try (QuestionEmbeddings embeddings = new QuestionEmbeddings(embedder, 1)) {
            List<String> questions = List.of("How long do I have to return something?", "Who signed the contract?",
                    "What did the team decide about the quarterly budget?", "x");
            // four at once on one thread: the ones that find it busy are embedded by the caller
            List<CompletableFuture<float[]>> started = new ArrayList<>();
            for (String question : questions) {
                started.add(embeddings.start(question));
            }
            for (int i = 0; i < questions.size(); i++) {
                assertThat(QuestionEmbeddings.await(started.get(i))).as(questions.get(i))
                        .containsExactly(embedder.embed(questions.get(i)));
            }
        }
    }

    @Test
    void theModelsFailureIsRethrownAsItWasThrown() {
        IllegalStateException failure = new IllegalStateException("the model session is closed");
        CompletableFuture<float[]> failed = CompletableFuture.supplyAsync(() -> {
            throw failure;
        });
        assertThatThrownBy(() -> QuestionEmbeddings.await(failed)).isSameAs(failure);
    }

    @Test
    void aCheckedFailureStaysWrapped() {
        CompletableFuture<float[]> failed = new CompletableFuture<>();
        failed.completeExceptionally(new java.io.IOException("gone"));
        assertThatThrownBy(() -> QuestionEmbeddings.await(failed))
                .isInstanceOf(java.util.concurrent.CompletionException.class)
                .hasCauseInstanceOf(java.io.IOException.class);
    }
}
