package io.caravan.embedding;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The in-process all-MiniLM-L6-v2 (quantized) model. Inputs must fit {@link #MAX_TOKENS}.
 *
 * <p>{@link #embedAll} spreads a document's segments over a fixed pool of {@code caravan.embedding.threads}
 * threads (default one per core) shared by every caller; each segment runs on one ONNX thread, so concurrent
 * indexing workers never oversubscribe the cores. A question ({@link #embed}) runs on the caller's thread (a
 * {@code QuestionEmbeddings} thread, or the query route's), so it never waits behind a backlog of documents.
 *
 * <p>Closing waits for every model call in progress, on any thread, and a call after that fails with a clear
 * error: the native session must never be closed under a running call.
 */
@Component
public class TextEmbedder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TextEmbedder.class);

    public static final String MODEL = "all-minilm-l6-v2-q";
    /** The model's window including [CLS] and [SEP]; longer input would be cut off silently. */
    public static final int MAX_TOKENS = 128;

    private final ExecutorService workers;
    private final SingleThreadMiniLm model;
    /** Model calls hold it shared; closing the session holds it exclusively. */
    private final ReadWriteLock session = new ReentrantReadWriteLock();
    private volatile boolean closed;

    public TextEmbedder(EmbeddingSettings settings) {
        int threads = settings.effectiveThreads();
        // fixed threads; the queue holds at most (concurrent callers x segments of their document)
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), new NamedDaemonThreads());
        try {
            this.model = new SingleThreadMiniLm(workers);
        } catch (RuntimeException e) {
            workers.shutdownNow();
            throw e;
        }
        LOG.info("Embedding model {} loaded ({} threads)", MODEL, threads);
    }

    public float[] embed(String text) {
        return guarded(() -> model.vector(text));
    }

    /**
     * The texts' vectors, in order. Every text, even a lone one, goes through the pool, so that workers
     * indexing documents never run more model calls at once than there are embedding threads.
     */
    public List<float[]> embedAll(List<String> texts) {
        List<Callable<float[]>> calls = new ArrayList<>(texts.size());
        for (String text : texts) {
            calls.add(() -> guarded(() -> model.vector(text)));
        }
        return onPool(calls);
    }

    /**
     * {@link #embedAll}, for texts whose input ids the caller has from {@link TokenCounter#inputIds} (the
     * chunker's, which tokenized each chunk to count it): the model does not tokenize them again. Ids that do
     * not fit the window (never a chunk's) fall back to the text, truncated by the model as {@link #embed} is.
     */
    public List<float[]> embedAllTokenized(List<String> texts, List<long[]> inputIds) {
        if (texts.size() != inputIds.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + inputIds.size() + " id lists");
        }
        List<Callable<float[]>> calls = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            long[] ids = inputIds.get(i);
            calls.add(ids != null && ids.length <= MAX_TOKENS ? () -> guarded(() -> model.vector(ids))
                    : () -> guarded(() -> model.vector(text)));
        }
        return onPool(calls);
    }

    private List<float[]> onPool(List<Callable<float[]>> calls) {
        if (calls.isEmpty()) {
            return List.of();
        }
        List<Future<float[]>> running = new ArrayList<>(calls.size());
        try {
            for (Callable<float[]> call : calls) {
                running.add(workers.submit(call));
            }
            List<float[]> vectors = new ArrayList<>(running.size());
            for (Future<float[]> vector : running) {
                vectors.add(vector.get());
            }
            return vectors;
        } catch (InterruptedException e) {
            running.forEach(vector -> vector.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (ExecutionException e) {
            running.forEach(vector -> vector.cancel(true));
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        }
    }

    private float[] guarded(Supplier<float[]> call) {
        Lock shared = session.readLock();
        shared.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the embedding model " + MODEL + " is closed (the hub is stopping)");
            }
            return call.get();
        } finally {
            shared.unlock();
        }
    }

    public String modelName() {
        return MODEL;
    }

    /**
     * Spring calls it when the context closes: lets running segments and calls finish, then frees the native
     * session (once).
     */
    @Override
    public void close() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("Embedding threads still busy after 30 s; the model session stays open");
                workers.shutdownNow();
                return; // closing the session under a running segment could crash the JVM
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
            return;
        }
        // callers outside the pool (questions) may still be in the model
        Lock exclusive = session.writeLock();
        try {
            if (!exclusive.tryLock(30, TimeUnit.SECONDS)) {
                LOG.warn("Embedding model still in use after 30 s; the model session stays open");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (!closed) {
                closed = true;
                model.close();
            }
        } finally {
            exclusive.unlock();
        }
    }

    /** Daemon threads, so an embedder that is never closed (a unit test) cannot keep the JVM alive. */
    private static final class NamedDaemonThreads implements ThreadFactory {

        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "embedding-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
