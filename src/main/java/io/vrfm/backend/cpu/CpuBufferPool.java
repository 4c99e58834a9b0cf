package io.vrfm.backend.cpu;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Released CPU buffers kept for reuse, in buckets of exact length: a training step allocates the same shapes every
 * step, so after the first step its temporaries come from here instead of fresh {@code float[]} (which the JVM must
 * zero, and the collector must later find). A buffer comes back only through {@link CpuBackend#release}, which the
 * tensor layer calls when a {@code TensorScope} closes (or a tensor is closed): the caller's promise that nothing
 * uses it any more. Buffers the garbage collector reclaims never pass through here.
 *
 * <p>Held buffers are only softly reachable: when the heap runs short the garbage collector clears them (always before
 * it would throw {@code OutOfMemoryError}), so the pool never costs the application memory it needs, and its
 * capacity can cover a whole training step. (With a hard cap of a quarter of the heap, the paper's MNIST ResNet step
 * at {@code -Xmx4g} allocated 153–158 of its ~830 buffers afresh every step, mostly 12.8 MB activations: humongous
 * allocations and concurrent collections on the cores the step computes on.) At most {@code capacityFloats} floats
 * are held (further releases are left to the collector). With
 * {@code poison} every released buffer is filled with NaN, so a buffer used after its release (or a reused buffer
 * read before it is written) shows up as NaN in results: tests turn it on.
 */
final class CpuBufferPool {
    private final Map<Integer, ArrayDeque<SoftReference<float[]>>> buckets = new HashMap<>();
    /** Where the collector puts the references it cleared, so their floats stop counting as held. */
    private ReferenceQueue<float[]> cleared = new ReferenceQueue<>();
    private final long capacityFloats;
    private final boolean poison;
    private long heldFloats;
    private long reused, fresh, dropped;

    CpuBufferPool(long capacityFloats, boolean poison) {
        this.capacityFloats = Math.max(0, capacityFloats);
        this.poison = poison;
    }

    /** A buffer of exactly {@code n} floats: a released one when there is one (contents undefined), else new. */
    synchronized float[] take(int n) {
        drainCleared();
        ArrayDeque<SoftReference<float[]>> q = buckets.get(n);
        while (q != null && !q.isEmpty()) {
            SoftReference<float[]> ref = q.pollLast();
            float[] a = ref.get();
            if (a != null) {
                heldFloats -= n;
                reused++;
                return a;
            }
            // cleared by the collector: its floats stop counting when the reference is dequeued
        }
        fresh++;
        return new float[n];
    }

    /** Stops counting the floats of buffers the collector has reclaimed. */
    private void drainCleared() {
        for (Reference<? extends float[]> r; (r = cleared.poll()) != null; ) {
            heldFloats -= ((SizedReference) r).length;
            dropped++;
        }
    }

    /** A pooled buffer's reference, remembering the length it had once the collector has cleared it. */
    private static final class SizedReference extends SoftReference<float[]> {
        final int length;

        SizedReference(float[] a, ReferenceQueue<float[]> q) {
            super(a, q);
            this.length = a.length;
        }
    }

    /** Keeps {@code a} for reuse, unless the pool is full. The caller must not touch {@code a} afterwards. */
    synchronized void put(float[] a) {
        drainCleared();
        if (heldFloats + a.length > capacityFloats) {
            return;
        }
        if (poison) {
            Arrays.fill(a, Float.NaN);
        }
        buckets.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(new SizedReference(a, cleared));
        heldFloats += a.length;
    }

    /** Drops every held buffer. */
    synchronized void clear() {
        buckets.clear();
        cleared = new ReferenceQueue<>();   // the dropped references report to the old queue, which nobody reads
        heldFloats = 0;
    }

    /** Allocations served from released buffers so far. */
    synchronized long reused() {
        return reused;
    }

    /** Allocations that needed a new array so far. */
    synchronized long fresh() {
        return fresh;
    }

    /** Floats held for reuse now (less those the collector has reclaimed, once it has said so). */
    synchronized long heldFloats() {
        drainCleared();
        return heldFloats;
    }

    /** Held buffers the garbage collector has reclaimed so far (the heap ran short). */
    synchronized long reclaimed() {
        drainCleared();
        return dropped;
    }
}
