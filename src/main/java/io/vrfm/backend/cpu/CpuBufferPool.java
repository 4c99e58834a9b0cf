package io.vrfm.backend.cpu;

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
 * <p>At most {@code capacityFloats} floats are held (further releases are left to the collector). With
 * {@code poison} every released buffer is filled with NaN, so a buffer used after its release (or a reused buffer
 * read before it is written) shows up as NaN in results: tests turn it on.
 */
final class CpuBufferPool {
    private final Map<Integer, ArrayDeque<float[]>> buckets = new HashMap<>();
    private final long capacityFloats;
    private final boolean poison;
    private long heldFloats;
    private long reused, fresh;

    CpuBufferPool(long capacityFloats, boolean poison) {
        this.capacityFloats = Math.max(0, capacityFloats);
        this.poison = poison;
    }

    /** A buffer of exactly {@code n} floats: a released one when there is one (contents undefined), else new. */
    synchronized float[] take(int n) {
        ArrayDeque<float[]> q = buckets.get(n);
        float[] a = q == null ? null : q.pollLast();
        if (a == null) {
            fresh++;
            return new float[n];
        }
        heldFloats -= n;
        reused++;
        return a;
    }

    /** Keeps {@code a} for reuse, unless the pool is full. The caller must not touch {@code a} afterwards. */
    synchronized void put(float[] a) {
        if (heldFloats + a.length > capacityFloats) {
            return;
        }
        if (poison) {
            Arrays.fill(a, Float.NaN);
        }
        buckets.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
        heldFloats += a.length;
    }

    /** Drops every held buffer. */
    synchronized void clear() {
        buckets.clear();
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

    /** Floats held for reuse now. */
    synchronized long heldFloats() {
        return heldFloats;
    }
}
