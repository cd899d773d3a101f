package io.caravan.query;

import io.caravan.embedding.TextEmbedder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Starts a question's embedding on a thread of its own, so that the model runs while the request thread reads
 * the tenant's versions, looks up the answer cache and hands the question to the query route (on a multi-core
 * machine that work no longer adds to the query's latency). At most {@code caravan.query.embedding-threads}
 * (default: one per core) run at once; beyond that a question is not started early and the query route embeds
 * it. Never the document embedding pool: a question must not wait behind a backlog of documents.
 */
@Component
public class QuestionEmbeddings implements AutoCloseable {

    private final Function<String, float[]> model;
    private final ThreadPoolExecutor threads;

    @Autowired
    public QuestionEmbeddings(TextEmbedder embedder, @Value("${caravan.query.embedding-threads:0}") int threads) {
        this(embedder::embed, threads);
    }

    QuestionEmbeddings(Function<String, float[]> model, int threads) {
        this.model = model;
        int count = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        // no queue: a question either starts at once or is embedded by its caller
        this.threads = new ThreadPoolExecutor(0, count, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemonThreads());
    }

    /** Daemon threads: an instance that is never closed (a unit test) cannot keep the JVM alive. */
    private static CustomizableThreadFactory daemonThreads() {
        CustomizableThreadFactory factory = new CustomizableThreadFactory("question-embedding-");
        factory.setDaemon(true);
        return factory;
    }

    /**
     * The question's vector, being computed; null when every thread is busy (the caller embeds it when it needs
     * it). A vector nobody waits for finishes on its thread and is dropped.
     */
    public CompletableFuture<float[]> start(String question) {
        try {
            return CompletableFuture.supplyAsync(() -> model.apply(question), threads);
        } catch (RejectedExecutionException busy) {
            return null;
        }
    }

    /** Waits for a vector from {@link #start}; the model's failure is rethrown as it was thrown. */
    public static float[] await(CompletableFuture<float[]> vector) {
        try {
            return vector.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Spring calls it when the context closes, before the model (this bean depends on it): lets the running
     * embeddings finish (the model itself also waits for every call in progress before it closes).
     */
    @Override
    public void close() {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            threads.shutdownNow();
        }
    }
}
