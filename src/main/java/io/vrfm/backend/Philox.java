package io.vrfm.backend;

/**
 * Counter-based random numbers shared by every backend (Philox-4x32-10, Salmon et al. 2011, the generator
 * cuRAND and PyTorch use). Element {@code i} of a draw with key {@code seed} starting at {@code counter} depends
 * only on {@code (seed, counter + i)}, so the CPU and CUDA backends fill identical streams in any order.
 * The CUDA kernel {@code kernels/random.cu} implements the same function.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {
    }

    /**
     * The first 32-bit word of Philox-4x32-10 for counter {@code (index_lo, index_hi, 0, 0)} and key
     * {@code (seed_lo, seed_hi)}.
     */
    public static int bits(long seed, long index) {
        return block((int) index, (int) (index >>> 32), 0, 0, (int) seed, (int) (seed >>> 32))[0];
    }

    /** The full Philox-4x32-10 block (Random123's known-answer vectors test it). */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0;
            int n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        return new int[]{c0, c1, c2, c3};
    }

    /** Uniform in the open interval (0, 1) with 24 random bits. */
    public static float uniform(long seed, long index) {
        return ((bits(seed, index) >>> 8) + 0.5f) * (1.0f / 16777216.0f);
    }

    /** Normal draws use their own key space, so uniform and normal streams of one seed never share counters. */
    public static final long NORMAL_KEY_SALT = 0x9E3779B97F4A7C15L;

    /**
     * Standard normal for element {@code i}: Box–Muller on the uniforms at counters {@code 2i} and {@code 2i + 1}
     * under key {@code seed ^ NORMAL_KEY_SALT} (cosine branch), computed in float32 as the CUDA kernel does.
     */
    public static float normal(long seed, long index) {
        long key = seed ^ NORMAL_KEY_SALT;
        float u1 = uniform(key, 2 * index);
        float u2 = uniform(key, 2 * index + 1);
        float r = (float) Math.sqrt(-2.0f * (float) Math.log(u1));
        return r * (float) Math.cos(6.2831855f * u2);
    }
}
