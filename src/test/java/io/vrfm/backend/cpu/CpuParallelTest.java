package io.vrfm.backend.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuParallelTest {

    private final List<CpuParallel> pools = new ArrayList<>();

    /** A pool of {@code threads}, shut down after the test. */
    private CpuParallel pool(int threads) {
        return track(new CpuParallel(threads));
    }

    private CpuParallel track(CpuParallel par) {
        pools.add(par);
        return par;
    }

    /**
     * A helper that finished a region takes the next one's chunk itself, across a serial gap between regions (here
     * 1 ms of the caller's own work): no pool task per region. Without spinning it leaves once the queue is empty,
     * and each region after it has left hands the pool a new helper task. The test waits for it to leave: on a
     * loaded machine a helper that starts late still finds the next region's ticket, and then no new task is
     * needed (that is correct, and made an earlier form of this test, which only slept 1 ms, fail under CI load).
     */
    @Test
    void aSpinningHelperServesRegionAfterRegionWithoutANewPoolTask() throws InterruptedException {
        CpuParallel spinning = track(new CpuParallel(2, TimeUnit.SECONDS.toNanos(10)));
        CpuParallel parked = track(new CpuParallel(2, 0L));
        for (CpuParallel par : new CpuParallel[] {spinning, parked}) {
            AtomicInteger sum = new AtomicInteger();
            for (int r = 0; r < 100; r++) {
                par.forRange(64, 1, (a, b) -> sum.addAndGet(b - a));
                Thread.sleep(1);
                if (par == parked) {
                    awaitNoHelper(par);
                }
            }
            assertEquals(100 * 64, sum.get());
            assertEquals(100, par.regions());
        }
        assertTrue(spinning.helperStarts() <= 3, "spinning helper restarted " + spinning.helperStarts() + " times");
        assertEquals(100, parked.helperStarts(), "a helper that does not spin must be started anew for each region");
    }

    /**
     * The chunk counters say who ran the work: a region whose two chunks each wait until both have started (so
     * neither thread can run both) counts two chunks, one of them a helper's; a region run inline counts none.
     */
    @Test
    void chunkCountersSayWhichChunksAHelperRan() {
        CpuParallel par = pool(2);
        par.forRange(1, 1, (a, b) -> { });                    // one chunk: runs inline, not a region
        assertEquals(0, par.regionChunks());
        CountDownLatch started = new CountDownLatch(2);
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        par.forRange(2, 1, (a, b) -> {
            ran.add(Thread.currentThread());
            started.countDown();
            try {
                assertTrue(started.await(20, TimeUnit.SECONDS), "the other chunk never started");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(2, ran.size(), "both threads ran a chunk");
        assertEquals(2, par.regionChunks());
        assertEquals(1, par.helperChunks());
    }

    private static void awaitNoHelper(CpuParallel par) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (par.activeHelpers() > 0) {
            assertTrue(System.nanoTime() < deadline, "a helper that does not spin never left");
            Thread.sleep(0, 100_000);
        }
    }

    @Test
    void helpersDoNotSpinWhereTheThreadsOutnumberTheProcessors() {
        int cpus = Runtime.getRuntime().availableProcessors();
        assertEquals(0L, pool(cpus + 1).spinNanos());
        if (cpus >= 2) {
            assertEquals(CpuParallel.SPIN_NANOS, pool(2).spinNanos());
        }
    }

    @AfterEach
    void shutDown() {
        pools.forEach(CpuParallel::shutdown);
    }

    @Test
    void everyIndexRunsOnceInChunksOfTheCeilingStep() {
        CpuParallel par = pool(3);
        for (int n : new int[] {1, 2, 3, 7, 10, 1000}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            Set<Integer> starts = ConcurrentHashMap.newKeySet();
            par.forRange(n, 1, (from, to) -> {
                starts.add(from);
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, hits.get(i), "index " + i + " of " + n);
            }
            int chunks = Math.min(3, n), step = (n + chunks - 1) / chunks;
            for (int s : starts) {
                assertEquals(0, s % step, "chunk start " + s + " of " + n);
            }
        }
    }

    /** Two threads: the caller and one worker run the two chunks at the same time. */
    @Test
    void theCallerRunsAChunkBesideOneWorker() throws Exception {
        CpuParallel par = pool(2);
        CountDownLatch bothStarted = new CountDownLatch(2);
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        AtomicInteger timedOut = new AtomicInteger();
        par.forRange(2, 1, (from, to) -> {
            ran.add(Thread.currentThread());
            bothStarted.countDown();
            try {
                if (!bothStarted.await(10, TimeUnit.SECONDS)) {
                    timedOut.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(0, timedOut.get(), "the two chunks did not run at the same time");
        assertEquals(2, ran.size());
        assertTrue(ran.contains(Thread.currentThread()), "the caller ran no chunk: " + ran);
        assertEquals(1, par.regions());
    }

    @Test
    void aRangeStartedInsideARegionRunsInline() {
        CpuParallel par = pool(2);
        AtomicInteger inner = new AtomicInteger();
        par.forRange(2, 1, (from, to) -> {
            Thread outer = Thread.currentThread();
            par.forRange(100, 1, (a, b) -> {
                assertSame(outer, Thread.currentThread());
                inner.addAndGet(b - a);
            });
        });
        assertEquals(200, inner.get());
        assertEquals(1, par.regions());
    }

    @Test
    void aFailingChunkIsRethrownAfterEveryChunkHasFinished() {
        CpuParallel par = pool(2);
        AtomicInteger finished = new AtomicInteger();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                par.forRange(2, 1, (from, to) -> {
                    if (from == 0) {
                        throw new IllegalArgumentException("chunk 0");
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                    finished.incrementAndGet();
                }));
        assertEquals("chunk 0", e.getMessage());
        assertEquals(1, finished.get(), "forRange returned before the other chunk finished");
        // the pool is still usable
        AtomicInteger sum = new AtomicInteger();
        par.forRange(10, 1, (a, b) -> sum.addAndGet(b - a));
        assertEquals(10, sum.get());
    }
}
