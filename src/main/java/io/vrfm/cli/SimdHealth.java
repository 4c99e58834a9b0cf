package io.vrfm.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Says once, in one line, when this JVM start compiled a SIMD kernel so that it boxes its vectors: JDK 17's C2 does
 * that in a minority of starts (README "Limits"), and the training step then allocates tens to hundreds of MB instead
 * of well under one, and runs slower (the results are the same). It compares the training thread's heap allocation
 * over a window of steps, once the kernels have had time to compile, with a bound far above a healthy step's.
 * Quiet where the JVM cannot count a thread's allocation.
 */
final class SimdHealth {
    /**
     * The window starts once both this many steps and {@link #FROM_SECONDS} have passed (C2 compiles the kernels by
     * invocation counts and then takes wall time to do it: a fast step is still running boxed C1 code at step 300,
     * 1.3 s into the quick preset's run) and lasts this many steps.
     */
    static final int FROM_STEP = 300, WINDOW = 50;
    static final double FROM_SECONDS = 5;
    /**
     * The bound per step: {@code MIN_BYTES + BYTES_PER_SAMPLE · batch}. On the training thread a healthy 2-D step
     * allocates about 0.1 MB whatever the batch, a boxing one 20–40 KB per sample (21–41 MB at batch 1000, 11–12 MB
     * in the quick preset's runs).
     */
    static final long BYTES_PER_SAMPLE = 5_000, MIN_BYTES = 2_000_000;

    private final PrintStream out;
    private final LongSupplier allocated, nanoTime;
    private final long startNanos;
    private final long bound;
    private final int javaFeature;
    /** Said once per JVM (a reproduce run trains several models in one JVM, all compiled alike). */
    private static final java.util.concurrent.atomic.AtomicBoolean SAID = new java.util.concurrent.atomic.AtomicBoolean();
    private final boolean oncePerJvm;
    private long atStart = -1, startStep;
    private boolean done;

    /** Whether the JVM compiles in tiers (C1 with profiling, then C2): the default, which the note advises off. */
    private final boolean tiered;

    SimdHealth(PrintStream out, LongSupplier allocated, LongSupplier nanoTime, int batch, int javaFeature) {
        this(out, allocated, nanoTime, batch, javaFeature, true);
    }

    SimdHealth(PrintStream out, LongSupplier allocated, LongSupplier nanoTime, int batch, int javaFeature,
               boolean tiered) {
        this(out, allocated, nanoTime, batch, javaFeature, tiered, false);
    }

    private SimdHealth(PrintStream out, LongSupplier allocated, LongSupplier nanoTime, int batch, int javaFeature,
                       boolean tiered, boolean oncePerJvm) {
        this.tiered = tiered;
        this.oncePerJvm = oncePerJvm;
        this.out = out;
        this.allocated = allocated;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
        this.bound = MIN_BYTES + BYTES_PER_SAMPLE * batch;
        this.javaFeature = javaFeature;
    }

    /** For the calling (training) thread, on this JVM. */
    static SimdHealth forThisThread(PrintStream out, int batch) {
        LongSupplier allocated = () -> -1;
        try {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx
                    && mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled()) {
                Thread me = Thread.currentThread();
                allocated = () -> mx.getThreadAllocatedBytes(me.getId());
            }
        } catch (LinkageError | UnsupportedOperationException e) {
            // no jdk.management: stay quiet
        }
        boolean tiered = !"false".equals(io.vrfm.backend.JvmOption.value("TieredCompilation"));  // unknown: default
        return new SimdHealth(out, allocated, System::nanoTime, batch, Runtime.version().feature(), tiered, true);
    }

    /** Call after every training step with the steps done so far (a resumed run starts its window later). */
    void afterStep(long step) {
        if (done || step < FROM_STEP || (atStart < 0 && nanoTime.getAsLong() - startNanos < FROM_SECONDS * 1e9)) {
            return;
        }
        long now = allocated.getAsLong();
        if (now < 0) {
            done = true;
        } else if (atStart < 0) {
            atStart = now;
            startStep = step;
        } else if (step - startStep >= WINDOW) {
            done = true;
            long perStep = (now - atStart) / (step - startStep);
            if (perStep > bound && !(oncePerJvm && SAID.getAndSet(true))) {
                out.printf(Locale.ROOT, "%nnote: this JVM start compiled a SIMD kernel badly: each training step allocates"
                        + " %.0f MB (a healthy one well under 1 MB), so training runs slower, with the same results;"
                        + " restarting the run (--resume keeps its steps) usually gets a healthy start%s%n",
                        perStep / 1e6, javaFeature >= 21 ? "" : tiered
                                ? "; on this JDK, starting java with -XX:-TieredCompilation avoided it in all 30 test"
                                + " starts, and JDK 21 or newer has not shown it"
                                : ", and JDK 21 or newer has not shown this");
                out.flush();
            }
        }
    }
}
