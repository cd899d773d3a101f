package io.caravan.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * The JIT compilers' time over a stretch of a benchmark, as a share of its wall time. A warm-up lasts until the
 * JIT is quiet: with tiered compilation HotSpot compiles a method with C2 only after ~5,000 invocations in
 * profiled code, so code run once per request or per document is still being compiled long after a fixed warm-up
 * of a few thousand, and on 2 cores the compiler thread takes its CPU from the code being measured.
 */
final class JitWatch {

    /** A warm-up is over once the JIT compiled for less than this share of a block's wall time. */
    static final double QUIET = 0.02;

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final long compileMillis;
    private final long startNanos;

    private JitWatch() {
        this.compileMillis = JIT.getTotalCompilationTime();
        this.startNanos = System.nanoTime();
    }

    static JitWatch start() {
        return new JitWatch();
    }

    /** Milliseconds the compiler threads spent compiling since {@link #start}. */
    long compileMillis() {
        return JIT.getTotalCompilationTime() - compileMillis;
    }

    /** {@link #compileMillis} as a share of the wall time since {@link #start}. */
    double share() {
        double wallMillis = (System.nanoTime() - startNanos) / 1e6;
        return wallMillis <= 0 ? 0 : compileMillis() / wallMillis;
    }

    /** Whether the JIT was quiet since {@link #start}. */
    boolean quiet() {
        return share() < QUIET;
    }
}
