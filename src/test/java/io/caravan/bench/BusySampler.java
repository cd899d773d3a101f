package io.caravan.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How busy the embedding threads are: samples their state every few milliseconds. A thread that is runnable
 * has work (even while it waits for a core the machine gives to someone else); one that is parked waits for
 * work, which is time the model could have used. Unlike throughput, this does not depend on the machine's load.
 */
final class BusySampler implements AutoCloseable {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final long[] ids;
    private final AtomicLong busy = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "bench-sampler");
        thread.setDaemon(true);
        return thread;
    });

    /** Starts sampling the live threads whose names start with {@code prefix}. */
    BusySampler(String prefix) {
        this.ids = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix))
                .mapToLong(Thread::getId).toArray();
        timer.scheduleAtFixedRate(this::sample, 0, 3, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        for (ThreadInfo info : threads.getThreadInfo(ids)) {
            if (info != null) {
                samples.incrementAndGet();
                if (info.getThreadState() == Thread.State.RUNNABLE) {
                    busy.incrementAndGet();
                }
            }
        }
    }

    /** Stops sampling; the share of samples in which a thread was runnable. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    double busyShare() {
        return samples.get() == 0 ? Double.NaN : (double) busy.get() / samples.get();
    }
}
