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
 * Lets a query's other work run beside its question's embedding: the request thread runs the model itself
 * ({@link #embedHere}) while a thread of this pool reads the tenant's versions ({@link #beside}), so on a
 * multi-core machine that read adds nothing to the query's latency, and the vector is ready on the request
 * thread with no thread to wake (a hand-off to a model thread and back cost two wake-ups). At most
 * {@code caravan.query.embedding-threads} (default: one per core) such reads run at once; beyond that the
 * request thread reads, and the query route embeds the question. Never the document embedding pool: a question
 * must not wait behind a backlog of documents.
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
     * Runs other work of the query on a thread of this pool while the caller embeds the question itself
     * ({@link #embedHere}): the vector is then ready on the caller's thread with nothing to wake, and the work
     * beside it (shorter than the model) is done by then. Null when every thread is busy (the caller does it).
     */
    public <T> CompletableFuture<T> beside(java.util.function.Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, threads);
        } catch (RejectedExecutionException busy) {
            return null;
        }
    }

    /** The question's vector computed on the caller's thread, as a future: a failure is kept for the route. */
    public CompletableFuture<float[]> embedHere(String question) {
        try {
            return CompletableFuture.completedFuture(model.apply(question));
        } catch (RuntimeException | Error e) { // as a model thread's failure was kept, an Error too
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits for a result of {@link #beside} or {@link #embedHere}; a failure is rethrown as it was thrown. */
    public static <T> T await(CompletableFuture<T> vector) {
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
