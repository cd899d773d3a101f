package io.caravan.ingest.parse;

import io.caravan.observability.TenantMdc;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One child JVM running {@link ParseWorker}. Every exchange with it is bounded by a watchdog that kills the
 * process when time runs out; the blocked read then ends and the death is explained by {@link Death}.
 * Used by one thread at a time (the pool hands it out exclusively).
 */
final class WorkerProcess {

    private static final Logger LOG = LoggerFactory.getLogger(ParseWorker.class);
    /** HotSpot's exit status after {@code -XX:+ExitOnOutOfMemoryError}. */
    static final int OUT_OF_MEMORY_EXIT = 3;
    private static final int STDERR_LINES_KEPT = 20;
    private static final Set<String> INHERITED_ENVIRONMENT = Set.of("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR");

    /** Why a worker stopped answering. */
    enum Cause { TIMEOUT, OUT_OF_MEMORY, CRASH }

    /** The worker died (or was killed) during an exchange. */
    static final class Death extends Exception {
        private final Cause cause;

        Death(Cause cause, String detail) {
            super(detail);
            this.cause = cause;
        }

        Cause why() {
            return cause;
        }
    }

    private interface Exchange<T> {
        T run() throws IOException;
    }

    private final Process process;
    private final DataOutputStream toWorker;
    private final DataInputStream fromWorker;
    private final ScheduledExecutorService watchdog;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Thread stderrDrain;
    private int documents;
    private long idleSince;

    private WorkerProcess(Process process, ScheduledExecutorService watchdog) {
        this.process = process;
        this.watchdog = watchdog;
        this.toWorker = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 64 * 1024));
        this.fromWorker = new DataInputStream(new BufferedInputStream(process.getInputStream(), 64 * 1024));
        this.stderrDrain = new Thread(this::drainStderr, "parse-worker-" + process.pid() + "-stderr");
        stderrDrain.setDaemon(true); // must never keep the hub alive
        stderrDrain.start();
    }

    /** Starts a worker and waits, at most {@code timeout}, until it is ready for requests. */
    static WorkerProcess start(List<String> command, Duration timeout, ScheduledExecutorService watchdog)
            throws IOException, Death {
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command);
        // the child parses hostile input: it gets none of the hub's secrets (API keys in the environment),
        // nor JAVA_TOOL_OPTIONS agents or debug ports
        builder.environment().keySet().retainAll(INHERITED_ENVIRONMENT);
        Process process = builder.start();
        WorkerProcess worker = new WorkerProcess(process, watchdog);
        worker.bounded(timeout, () -> {
            WorkerProtocol.readReady(worker.fromWorker);
            return null;
        });
        LOG.debug("Parse worker {} ready in {} ms", process.pid(), (System.nanoTime() - started) / 1_000_000);
        return worker;
    }

    /** Parses one document; a failure the worker reports itself is thrown as it is. */
    ParsedText parse(WorkerProtocol.Request request, Duration timeout) throws Death {
        documents++;
        long maxTextBytes = 3L * request.maxChars() + 16;
        return bounded(timeout, () -> {
            WorkerProtocol.writeRequest(toWorker, request);
            return WorkerProtocol.readAnswer(fromWorker, maxTextBytes);
        });
    }

    int documents() {
        return documents;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void markIdle(long nanoTime) {
        idleSince = nanoTime;
    }

    long idleSince() {
        return idleSince;
    }

    void destroy() {
        process.destroyForcibly();
    }

    private <T> T bounded(Duration timeout, Exchange<T> exchange) throws Death {
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> alarm;
        try {
            alarm = watchdog.schedule(() -> {
                expired.set(true);
                process.destroyForcibly();
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            process.destroyForcibly(); // the pool is closing: no exchange may run unbounded
            throw new Death(Cause.CRASH, "the document parser is shut down");
        }
        try {
            return exchange.run();
        } catch (IOException e) {
            process.destroyForcibly(); // EOF, broken pipe or garbage: this worker is done either way
            throw death(expired.get(), e);
        } finally {
            alarm.cancel(false);
        }
    }

    private Death death(boolean expired, IOException e) {
        if (expired) {
            return new Death(Cause.TIMEOUT, "no answer within the time limit");
        }
        Integer exit = exitCode();
        if (exit != null && exit == OUT_OF_MEMORY_EXIT) {
            return new Death(Cause.OUT_OF_MEMORY, "the worker ran out of memory");
        }
        logStderrTail();
        // no worker output in the message: it ends in the tenant's quarantine, and a worker's output comes from
        // every document it parsed, other tenants' included
        return new Death(Cause.CRASH, "the worker stopped (exit code " + exit + ", " + e.getMessage() + ")");
    }

    private Integer exitCode() {
        try {
            // the read failed because the process ended, or it was just killed: either way it exits promptly
            return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The worker's last output, for the operator: logged without the tenant of the document that was being
     * parsed, as it may come from documents of other tenants that the worker parsed before.
     */
    private void logStderrTail() {
        try {
            stderrDrain.join(1_000); // the process ended, so its stderr reaches its end soon
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String tail;
        synchronized (stderrTail) {
            tail = String.join(" | ", stderrTail);
        }
        if (tail.isEmpty()) {
            return;
        }
        String tenant = MDC.get(TenantMdc.KEY);
        MDC.remove(TenantMdc.KEY);
        try {
            LOG.warn("Parse worker {} stopped; its last output (documents of any tenant): {}", process.pid(), tail);
        } finally {
            if (tenant != null) {
                MDC.put(TenantMdc.KEY, tenant);
            }
        }
    }

    private void drainStderr() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                LOG.debug("worker {}: {}", process.pid(), line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line.length() > 300 ? line.substring(0, 300) : line);
                    if (stderrTail.size() > STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone; nothing more to read
        }
    }
}
