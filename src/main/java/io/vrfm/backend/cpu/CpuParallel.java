package io.vrfm.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits index ranges across the CPU backend's threads. Work smaller than the grain runs on the calling thread,
 * so tiny tensors pay no scheduling cost.
 *
 * <p>The calling thread is one of the {@code threads}: a region hands its chunks to the caller and to
 * {@code threads − 1} pool workers, whoever is free claiming the next chunk, and returns when every chunk is done.
 * So a region wakes one worker fewer than it has chunks, the caller computes instead of parking, and a worker
 * that wakes late finds its chunk already taken by a thread that was free. (Before, the caller handed the whole
 * range to a pool of {@code threads} workers and parked: at two threads a 1000×128×128 product, about 0.4 ms,
 * ran no faster on two threads than on one.) A range started from inside a region (by a worker or by the caller
 * while it runs a chunk) runs on the thread that started it.
 */
public final class CpuParallel {

    /** A body over the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Set while this thread runs a chunk of a region it started: ranges it starts then run inline. */
    private static final ThreadLocal<boolean[]> IN_REGION = ThreadLocal.withInitial(() -> new boolean[1]);

    private final ForkJoinPool pool;
    private final int threads;
    private final LongAdder regions = new LongAdder();

    public CpuParallel(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : new ForkJoinPool(this.threads - 1);
    }

    public int threads() {
        return threads;
    }

    /** Parallel regions (ranges split across threads) run so far; work run inline is not counted. */
    public long regions() {
        return regions.sum();
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices, using every thread when
     * the range is large enough. The first exception a chunk throws is rethrown once every chunk has finished.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        boolean[] inRegion = IN_REGION.get();
        if (chunks <= 1 || pool == null || inRegion[0] || ForkJoinTask.getPool() == pool) {
            body.run(0, n);
            return;
        }
        regions.increment();
        Region region = new Region(body, n, chunks, Thread.currentThread());
        for (int i = 1; i < chunks; i++) {
            pool.execute(region::work);
        }
        inRegion[0] = true;
        try {
            region.work();
        } finally {
            inRegion[0] = false;
        }
        region.awaitDone();
        region.rethrow();
    }

    /** One range split into chunks that the caller and the workers claim in turn. */
    private static final class Region {
        private final RangeBody body;
        private final int n, chunks, step;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable failure;

        Region(RangeBody body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.step = (n + chunks - 1) / chunks;
            this.caller = caller;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    int from = c * step;
                    if (from < n) {
                        body.run(from, Math.min(n, from + step));
                    }
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    if (done.incrementAndGet() == chunks) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Waits (spinning briefly, then parked) until every chunk has finished. */
        void awaitDone() {
            for (int spins = 0; done.get() < chunks; spins++) {
                if (spins < 2000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    public void shutdown() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
