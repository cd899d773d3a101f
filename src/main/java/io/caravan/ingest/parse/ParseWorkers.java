package io.caravan.ingest.parse;

import io.caravan.ingest.IngestFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.tika.mime.MediaType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small pool of {@link WorkerProcess}es. Starting a JVM and loading Tika costs about a second of CPU, more
 * than parsing a typical PDF, so workers are kept and reused; each handles one document at a time, and is
 * replaced after it dies, after {@code maxDocumentsPerWorker} documents, and stopped when idle for long.
 * At most {@code workers} child JVMs exist at once (busy and idle together).
 */
final class ParseWorkers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ParseWorkers.class);

    private final List<String> command;
    private final ParseSettings settings;
    private final Semaphore slots;
    private final Object lock = new Object();
    private final Deque<WorkerProcess> idle = new ArrayDeque<>(); // guarded by lock
    private final Set<WorkerProcess> live = new HashSet<>(); // idle and busy; guarded by lock
    private final ScheduledThreadPoolExecutor watchdog;
    private boolean closed; // guarded by lock

    ParseWorkers(List<String> command, ParseSettings settings) {
        this.command = List.copyOf(command);
        this.settings = settings;
        this.slots = new Semaphore(settings.workers(), true);
        this.watchdog = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "parse-worker-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.setRemoveOnCancelPolicy(true);
    }

    /**
     * Parses in a child JVM. {@code type} is what the hub detected, for messages; the child reports the type
     * it parsed; {@code timeout} bounds this parse. Waits for a free worker at most twice the hub's default
     * timeout (a busy one has usually finished or been killed by then; if not, the document is retried later).
     */
    ParsedText parse(WorkerProtocol.Request request, MediaType type, Duration timeout) {
        acquireSlot();
        try {
            WorkerProcess worker = take();
            ParsedText parsed;
            try {
                parsed = worker.parse(request, timeout);
            } catch (IngestFailure reported) {
                release(worker); // the worker parsed and refused the document; it is fine
                throw reported;
            } catch (WorkerProcess.Death death) {
                throw failure(death, worker, type, timeout);
            }
            release(worker);
            return parsed;
        } finally {
            slots.release();
        }
    }

    /** Stops every worker, busy ones too: their documents fail as retryable and are parsed after a restart. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            live.forEach(WorkerProcess::destroy);
            live.clear();
            idle.clear();
        }
        watchdog.shutdownNow();
    }

    private void acquireSlot() {
        try {
            if (!slots.tryAcquire(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS)) {
                throw new IngestFailure(Failures.STAGE, "parse_error", false,
                        "all " + settings.workers() + " document parser workers stayed busy; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestFailure(Failures.STAGE, "parse_error", false, "interrupted while waiting for a parser");
        }
    }

    private WorkerProcess take() {
        synchronized (lock) {
            ensureOpen();
            WorkerProcess worker;
            while ((worker = idle.pollFirst()) != null) {
                if (worker.isAlive()) {
                    return worker;
                }
                discard(worker);
            }
        }
        WorkerProcess started;
        try {
            started = WorkerProcess.start(command, settings.workerStartTimeout(), watchdog);
        } catch (IOException | WorkerProcess.Death e) {
            LOG.error("Cannot start a document parser worker: {}", e.getMessage());
            // the hub's fault, not the document's: retryable
            throw new IngestFailure(Failures.STAGE, "parse_error", false,
                    "the document parser worker could not start: " + e.getMessage());
        }
        synchronized (lock) {
            live.add(started);
            if (closed) {
                discard(started);
                ensureOpen();
            }
        }
        return started;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IngestFailure(Failures.STAGE, "parse_error", false, "the document parser is shut down");
        }
    }

    private void discard(WorkerProcess worker) {
        synchronized (lock) {
            live.remove(worker);
        }
        worker.destroy();
    }

    private void release(WorkerProcess worker) {
        synchronized (lock) {
            if (!closed && worker.isAlive() && worker.documents() < settings.maxDocumentsPerWorker()) {
                worker.markIdle(System.nanoTime());
                idle.addFirst(worker); // the most recently used stays warm; the others age out
                watchdog.schedule(() -> stopIfStillIdle(worker), settings.workerIdleTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
                return;
            }
        }
        discard(worker);
    }

    private void stopIfStillIdle(WorkerProcess worker) {
        synchronized (lock) {
            long idleNanos = System.nanoTime() - worker.idleSince();
            if (idleNanos >= settings.workerIdleTimeout().toNanos() && idle.remove(worker)) {
                discard(worker);
            }
        }
    }

    private IngestFailure failure(WorkerProcess.Death death, WorkerProcess worker, MediaType type, Duration timeout) {
        discard(worker);
        LOG.warn("Document parser worker {} was stopped while parsing a document of type {}: {} ({})",
                worker.pid(), type, death.why(), death.getMessage());
        return switch (death.why()) {
            case TIMEOUT -> new IngestFailure(Failures.STAGE, "parse_error", true, "parsing the " + type
                    + " document did not finish within " + readable(timeout) + "; it was stopped");
            case OUT_OF_MEMORY -> new IngestFailure(Failures.STAGE, "too_large", true, "parsing the " + type
                    + " document needed more than the parser's " + settings.workerHeap().toMegabytes()
                    + " MB of memory (a decompression bomb or an oversized document); it was stopped");
            // possibly the machine's fault (the OS killed it), so retryable; a document that crashes every
            // worker still reaches the quarantine once its attempts are spent
            case CRASH -> new IngestFailure(Failures.STAGE, "parse_error", false, "the parser process for the "
                    + type + " document ended unexpectedly: " + death.getMessage());
        };
    }

    private static String readable(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
