package io.caravan.query;

import io.caravan.embedding.TextEmbedder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Starts a question's embedding on a thread of its own, so that the model runs while the request thread reads
 * the tenant's versions, looks up the answer cache and hands the question to the query route (on a multi-core
 * machine that work no longer adds to the query's latency). At most {@code caravan.query.embedding-threads}
 * (default: one per core) run at once; beyond that a question is embedded on the caller's thread, as if it had
 * not been started early. Never the document embedding pool: a question must not wait behind a backlog of
 * documents.
 */
@Component
public class QuestionEmbeddings implements AutoCloseable {

    private final TextEmbedder embedder;
    private final ThreadPoolExecutor threads;

    public QuestionEmbeddings(TextEmbedder embedder, @Value("${caravan.query.embedding-threads:0}") int threads) {
        this.embedder = embedder;
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

    /** The question's vector, being computed (already computed when every thread was busy). */
    public CompletableFuture<float[]> start(String question) {
        try {
            return CompletableFuture.supplyAsync(() -> embedder.embed(question), threads);
        } catch (RejectedExecutionException busy) {
            return CompletableFuture.completedFuture(embedder.embed(question));
        }
    }

    /** Waits for a vector from {@link #start}; the model's failure is rethrown as it was thrown. */
    public static float[] await(CompletableFuture<float[]> vector) {
        try {
            return vector.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Spring calls it when the context closes; a running embedding finishes on its own. */
    @Override
    public void close() {
        threads.shutdown();
    }
}
