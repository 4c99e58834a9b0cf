package io.vrfm.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.LongAdder;

/**
 * Splits index ranges across the CPU backend's worker pool. Work smaller than the grain runs on the calling
 * thread, so tiny tensors pay no scheduling cost.
 */
public final class CpuParallel {

    /** A body over the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;
    private final LongAdder regions = new LongAdder();

    public CpuParallel(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : new ForkJoinPool(this.threads);
    }

    public int threads() {
        return threads;
    }

    /** Parallel regions (fork/joins handed to the worker pool) run so far; work run inline is not counted. */
    public long regions() {
        return regions.sum();
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices, using every worker when
     * the range is large enough.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || pool == null || java.util.concurrent.ForkJoinTask.getPool() == pool) {
            body.run(0, n);
            return;
        }
        regions.increment();
        pool.invoke(new Chunk(body, 0, n, (n + chunks - 1) / chunks));
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int from, to, step;

        Chunk(RangeBody body, int from, int to, int step) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.step = step;
        }

        @Override
        protected void compute() {
            if (to - from <= step) {
                body.run(from, to);
                return;
            }
            int mid = from + ((to - from) / step / 2) * step;
            if (mid <= from) {
                mid = from + step;
            }
            invokeAll(new Chunk(body, from, mid, step), new Chunk(body, mid, to, step));
        }
    }

    public void shutdown() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
