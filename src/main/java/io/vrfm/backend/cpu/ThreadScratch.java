package io.vrfm.backend.cpu;

/**
 * A float buffer per thread, grown on demand and reused across calls: the packing and transform buffers of the CPU
 * kernels. A request larger than {@code keptFloats} gets a fresh array that is not kept (so a rare huge shape does
 * not pin its memory in every worker thread).
 */
final class ThreadScratch {

    private final ThreadLocal<float[]> cache = ThreadLocal.withInitial(() -> new float[0]);
    private final int keptFloats;

    ThreadScratch(int keptFloats) {
        this.keptFloats = keptFloats;
    }

    /** This thread's buffer of at least {@code size} floats (its contents are whatever the last use left). */
    float[] get(int size) {
        float[] buf = cache.get();
        if (buf.length < size) {
            buf = new float[size];
            if (size <= keptFloats) {
                cache.set(buf);
            }
        }
        return buf;
    }
}
