package io.caravan.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.embedding.EmbeddingSettings;
import io.caravan.embedding.TextEmbedder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A question embedded on the caller's thread is the embedding the route would compute and fails as it would;
 * work run beside it comes back as it was done or failed; with every thread busy nothing runs beside (the
 * caller does it), and closing waits for running work.
 */
class QuestionEmbeddingsTest {

    private static final float[] VECTOR = {0.25f, 0.5f};

    @Test
    void aQuestionEmbeddedHereIsTheModelsOwn() {
        try (TextEmbedder embedder = new TextEmbedder(new EmbeddingSettings(1));
             QuestionEmbeddings embeddings = new QuestionEmbeddings(embedder, 1)) {
            String question = "How long do I have to return something?";
            CompletableFuture<float[]> here = embeddings.embedHere(question);
            assertThat(here).isDone(); // computed on this thread: nothing to wait for
            assertThat(QuestionEmbeddings.await(here)).containsExactly(embedder.embed(question));
        }
    }

    @Test
    void withEveryThreadBusyNothingRunsBesideAndTheCallerDoesNotWait() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (QuestionEmbeddings embeddings = new QuestionEmbeddings(question -> VECTOR, 1)) {
            CompletableFuture<String> first = embeddings.beside(() -> {
                hold(release);
                return "versions";
            });
            assertThat(embeddings.beside(() -> "second")).isNull(); // the only thread runs the first
            assertThat(first).isNotDone();

            release.countDown();
            assertThat(QuestionEmbeddings.await(first)).isEqualTo("versions");
            // the thread is free again
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                CompletableFuture<String> next = embeddings.beside(() -> "third");
                return next != null && "third".equals(QuestionEmbeddings.await(next));
            });
        }
    }

    @Test
    void failuresAreRethrownAsTheyWereThrown() {
        IllegalStateException failure = new IllegalStateException("the model session is closed");
        try (QuestionEmbeddings embeddings = new QuestionEmbeddings(question -> {
            throw failure;
        }, 1)) {
            CompletableFuture<float[]> vector = embeddings.embedHere("q");
            assertThatThrownBy(() -> QuestionEmbeddings.await(vector)).isSameAs(failure);
            CompletableFuture<Object> beside = embeddings.beside(() -> {
                throw failure;
            });
            assertThatThrownBy(() -> QuestionEmbeddings.await(beside)).isSameAs(failure);
        }
        AssertionError error = new AssertionError("native failure");
        try (QuestionEmbeddings embeddings = new QuestionEmbeddings(question -> {
            throw error;
        }, 1)) {
            CompletableFuture<float[]> vector = embeddings.embedHere("q");
            assertThatThrownBy(() -> QuestionEmbeddings.await(vector)).isSameAs(error);
        }
    }

    @Test
    void aCheckedFailureStaysWrapped() {
        CompletableFuture<float[]> failed = new CompletableFuture<>();
        failed.completeExceptionally(new java.io.IOException("gone"));
        assertThatThrownBy(() -> QuestionEmbeddings.await(failed))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void closingWaitsForRunningWork() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        QuestionEmbeddings embeddings = new QuestionEmbeddings(question -> VECTOR, 1);
        CompletableFuture<float[]> running = embeddings.beside(() -> {
            hold(release);
            finished.set(true);
            return VECTOR;
        });
        Thread closing = new Thread(embeddings::close, "closing");
        closing.start();
        // close is waiting for the work (the model it may use may only be closed after it)
        await().atMost(Duration.ofSeconds(10)).until(() -> closing.getState() == Thread.State.TIMED_WAITING);
        assertThat(finished).isFalse();

        release.countDown();
        closing.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(closing.isAlive()).isFalse();
        assertThat(finished).isTrue();
        assertThat(running).isCompleted();
    }

    private static void hold(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
