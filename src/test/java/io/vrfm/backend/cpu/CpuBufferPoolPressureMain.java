package io.vrfm.backend.cpu;

/**
 * Run by {@link CpuBufferPoolTest} in a JVM with a small heap ({@code -Xmx256m}): fills a pool whose capacity is the
 * whole heap with 4 MB buffers worth about three quarters of it, then allocates arrays that fit only if the pool gives
 * way. Prints {@code held=… reclaimed=…} and exits 0 when every allocation succeeded; an {@code OutOfMemoryError}
 * (a pool holding its buffers strongly) exits 1.
 */
public final class CpuBufferPoolPressureMain {

    private CpuBufferPoolPressureMain() {
    }

    public static void main(String[] args) {
        long heap = Runtime.getRuntime().maxMemory();
        CpuBufferPool pool = new CpuBufferPool(heap / Float.BYTES, false);
        int len = 1 << 20;                                  // 4 MB
        int count = (int) (heap * 3 / 4 / (4L * len));
        for (int i = 0; i < count; i++) {
            pool.put(new float[len]);
        }
        long before = pool.heldFloats();
        try {
            float[][] keep = new float[3][];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = new float[(int) (heap / 8 / Float.BYTES)];   // 3/8 of the heap in all, kept
            }
            System.out.println("held=" + before + " after=" + pool.heldFloats() + " reclaimed=" + pool.reclaimed()
                    + " kept=" + keep.length);
        } catch (OutOfMemoryError e) {
            System.out.println("OutOfMemoryError with held=" + before);
            System.exit(1);
        }
    }
}
