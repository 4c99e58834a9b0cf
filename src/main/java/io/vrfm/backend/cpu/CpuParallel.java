package io.vrfm.backend.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits index ranges across the CPU backend's threads. Work smaller than the grain runs on the calling thread,
 * so tiny tensors pay no scheduling cost.
 *
 * <p>The calling thread is one of the {@code threads}: a region hands its chunks to the caller and to
 * {@code threads − 1} helpers, whoever is free claiming the next chunk, and returns when every chunk is done.
 * So the caller computes instead of parking, and a helper that comes late finds its chunk already taken by a
 * thread that was free. (Before, the caller handed the whole range to a pool of {@code threads} workers and
 * parked: at two threads a 1000×128×128 product, about 0.4 ms, ran no faster on two threads than on one.)
 * A range started from inside a region (by a helper or by the caller while it runs a chunk) runs on the thread
 * that started it.
 *
 * <p>A helper that has finished its chunks keeps polling for the next region for {@link #spinNanos()} before it
 * returns its pool thread, the way an OpenMP team spins between parallel loops. A training step is hundreds of
 * regions of 20–400 µs with short serial passes between them; a helper woken from a parked pool thread for each
 * one started late, and on the smaller regions the caller had taken both chunks by then: in the 2-D V-RFM step
 * at two threads the helper ran 36% of the chunks woken per region, 43% spinning, and the step took 12.2 ms
 * instead of 13.5 (median of 20 alternations in one JVM, AMD EPYC, JDK 25). Helpers spin only where the backend
 * has no more threads than the machine has processors; above that they would take the caller's core, so they
 * return at once ({@code -Dvrfm.cpu.spinMicros=0} turns spinning off).
 */
public final class CpuParallel {

    /** A body over the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Set while this thread runs a chunk of a region it started: ranges it starts then run inline. */
    private static final ThreadLocal<boolean[]> IN_REGION = ThreadLocal.withInitial(() -> new boolean[1]);

    /** How long a helper with nothing to do polls for the next region before it returns its pool thread. */
    static final long SPIN_NANOS = Long.getLong("vrfm.cpu.spinMicros", 2000L) * 1000L;

    private final ForkJoinPool pool;
    private final int threads;
    private final long spinNanos;
    private final LongAdder regions = new LongAdder(), helperStarts = new LongAdder();
    /** Chunks of every region so far, and those a helper (not the region's caller) ran. */
    private final LongAdder regionChunks = new LongAdder(), helperChunks = new LongAdder();
    /** One entry per helper a region asked for; a helper polls it and works on the region it names. */
    private final ConcurrentLinkedQueue<Region> tickets = new ConcurrentLinkedQueue<>();
    /** Helpers running or polling now (at most {@code threads − 1} are asked for). */
    private final AtomicInteger helpers = new AtomicInteger();

    public CpuParallel(int threads) {
        this(threads, Math.max(1, threads) <= Runtime.getRuntime().availableProcessors() ? SPIN_NANOS : 0L);
    }

    /** With the given helper spin (tests pin it). */
    CpuParallel(int threads, long spinNanos) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : new ForkJoinPool(this.threads - 1);
        this.spinNanos = Math.max(0L, spinNanos);
    }

    /** How long an idle helper polls for the next region: 0 where the threads outnumber the processors. */
    public long spinNanos() {
        return spinNanos;
    }

    public int threads() {
        return threads;
    }

    /** Helper tasks handed to the pool so far: one per region without spinning, far fewer with it. */
    long helperStarts() {
        return helperStarts.sum();
    }

    /** Helpers running or polling now; 0 once every helper has returned its pool thread. */
    int activeHelpers() {
        return helpers.get();
    }

    /** Parallel regions (ranges split across threads) run so far; work run inline is not counted. */
    public long regions() {
        return regions.sum();
    }

    /** Chunks of all parallel regions so far (each region's chunks; inline work not counted). */
    public long regionChunks() {
        return regionChunks.sum();
    }

    /**
     * Of {@link #regionChunks}, those a helper ran rather than the region's caller: about {@code (threads − 1) /
     * threads} of them when the helpers keep up (a thread-sampling profiler can suggest otherwise: JFR drops samples
     * inside tight compiled vector loops and over-represents a helper's spin loop).
     */
    public long helperChunks() {
        return helperChunks.sum();
    }

    /** {@code par.forRange(n, grain, body)}, or the whole range on the calling thread where {@code par} is null. */
    static void forRangeOn(CpuParallel par, int n, int grain, RangeBody body) {
        if (par == null) {
            if (n > 0) {
                body.run(0, n);
            }
        } else {
            par.forRange(n, grain, body);
        }
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
        if (chunks <= 1 || pool == null || inRegion[0]) {
            body.run(0, n);
            return;
        }
        regions.increment();
        regionChunks.add(chunks);
        Region region = new Region(body, n, chunks, Thread.currentThread(), helperChunks);
        for (int i = 1; i < chunks; i++) {
            tickets.add(region);
        }
        // ask for helpers up to one per ticket; helpers already polling take the tickets without a wake-up. At most
        // one start per ticket: a helper started here may take its ticket and leave before this loop looks at the
        // count again, and re-reading it without a bound started thousands of helpers for one region (no spin,
        // JDK 17, 2 cores: 8,654 starts for 100 regions)
        for (int started = 0, h; started < chunks - 1 && (h = helpers.get()) < chunks - 1; ) {
            if (helpers.compareAndSet(h, h + 1)) {
                started++;
                helperStarts.increment();
                pool.execute(this::help);
            }
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

    /**
     * A helper's loop on a pool thread: works on the regions it finds tickets for, polls for
     * {@link #spinNanos} after the last one, then returns. The count drops before the last look at the queue,
     * so a ticket added while it was leaving is either seen here or finds the count already down and asks for a
     * new helper.
     */
    private void help() {
        boolean[] inRegion = IN_REGION.get();
        inRegion[0] = true;
        try {
            long idleSince = System.nanoTime();
            for (int polls = 0; ; polls++) {
                Region r = tickets.poll();
                if (r != null) {
                    r.work();
                    idleSince = System.nanoTime();
                    polls = 0;
                } else if (spinNanos > 0 && ((polls & 63) != 0 || System.nanoTime() - idleSince < spinNanos)) {
                    Thread.onSpinWait();
                } else {
                    helpers.decrementAndGet();
                    if (tickets.isEmpty() || pool.isShutdown()) {
                        return;
                    }
                    helpers.incrementAndGet();
                }
            }
        } finally {
            inRegion[0] = false;
        }
    }

    /** One range split into chunks that the caller and the workers claim in turn. */
    private static final class Region {
        private final RangeBody body;
        private final int n, chunks, step;
        private final Thread caller;
        private final LongAdder helperChunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable failure;

        Region(RangeBody body, int n, int chunks, Thread caller, LongAdder helperChunks) {
            this.body = body;
            this.helperChunks = helperChunks;
            this.n = n;
            this.chunks = chunks;
            this.step = (n + chunks - 1) / chunks;
            this.caller = caller;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            boolean helper = Thread.currentThread() != caller;
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
                    if (helper) {
                        helperChunks.increment();     // before done: the caller reads it once every chunk is done
                    }
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
