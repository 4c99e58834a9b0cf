package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.Philox;

import static io.vrfm.backend.cpu.CpuBuffer.d;
import static io.vrfm.backend.cpu.CpuBuffer.i;

/**
 * CPU twin of {@code kernels/random.cu}. Counter-based random numbers ({@link io.vrfm.backend.Philox}), identical
 * to the CUDA stream element by element. One static method per {@link io.vrfm.backend.Backend} primitive, named
 * alike; {@link CpuBackend} delegates here.
 */
final class CpuRandom {
    /**
     * Elements per chunk: each one is a Philox block or two (and a log and a cosine for normals), so a latent's
     * 1000×2 draw splits across two threads.
     */
    private static final int GRAIN = 1024;

    private CpuRandom() {
    }

    static void randomUniform(Buffer dst, long n, long seed, long counter, CpuParallel par) {
        float[] a = d(dst);
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                a[k] = Philox.uniform(seed, counter + k);
            }
        });
    }

    static void randomNormal(Buffer dst, long n, long seed, long counter, CpuParallel par) {
        float[] a = d(dst);
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                a[k] = Philox.normal(seed, counter + k);
            }
        });
    }
}
