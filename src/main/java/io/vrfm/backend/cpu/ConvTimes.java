package io.vrfm.backend.cpu;

import io.vrfm.backend.ConvShape;

import java.util.concurrent.atomic.LongAdder;

/**
 * Calls, flops and wall-clock time of a {@link CpuBackend}'s convolutions, per pass, since it was created or last
 * {@link #reset}: what a benchmark needs to say how fast the convolutions run <em>inside</em> a training step (at its
 * real shapes, with its operands wherever the step left them) rather than in isolation. A pass costs
 * {@link ConvShape#flops()}. Two clock reads per convolution; the counters are safe to read while the
 * backend runs.
 */
public final class ConvTimes {

    /** The three convolution passes. */
    public enum Pass {
        FORWARD("forward"), BACKWARD_DATA("backward-data"), BACKWARD_FILTER("backward-filter");

        private final String label;

        Pass(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final LongAdder[] calls = adders(), flops = adders(), nanos = adders();

    ConvTimes() {
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[Pass.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    void add(Pass pass, ConvShape s, long elapsedNanos) {
        calls[pass.ordinal()].increment();
        flops[pass.ordinal()].add(s.flops());
        nanos[pass.ordinal()].add(elapsedNanos);
    }

    public long calls(Pass pass) {
        return calls[pass.ordinal()].sum();
    }

    public long flops(Pass pass) {
        return flops[pass.ordinal()].sum();
    }

    public long nanos(Pass pass) {
        return nanos[pass.ordinal()].sum();
    }

    /** GFLOP/s of these passes together so far (0 before their first call). */
    public double gflops(Pass... passes) {
        long f = 0, t = 0;
        for (Pass p : passes) {
            f += flops(p);
            t += nanos(p);
        }
        return t == 0 ? 0 : (double) f / t;
    }

    /** Seconds spent in every pass together. */
    public double seconds() {
        long t = 0;
        for (Pass p : Pass.values()) {
            t += nanos(p);
        }
        return t / 1e9;
    }

    /** Starts counting from zero. */
    public void reset() {
        for (LongAdder[] a : new LongAdder[][] {calls, flops, nanos}) {
            for (LongAdder x : a) {
                x.reset();
            }
        }
    }
}
