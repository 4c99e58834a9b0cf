package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.UnaryOp;

import static io.vrfm.backend.cpu.CpuBuffer.d;
import static io.vrfm.backend.cpu.CpuBuffer.i;

/**
 * CPU twin of {@code kernels/gemm.cu}. Batched GEMM: splits the batch across cores when there are many small
 * products, else runs {@link Sgemm} on every core per product. One static method per {@link
 * io.vrfm.backend.Backend} primitive, named alike; {@link CpuBackend} delegates here.
 */
final class CpuGemm {
    private CpuGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buffer a, long aOffset, int lda, long strideA,
                     Buffer b, long bOffset, int ldb, long strideB,
                     float beta, Buffer c, long cOffset, long strideC, int batch,
                     CpuParallel par, CpuParallel serial) {
        float[] as = d(a), bs = d(b), cs = d(c);
        if (batch >= par.threads() && (long) m * n * k < (1L << 21)) {
            // many small products: one per task, each single-threaded
            par.forRange(batch, 1, (lo, hi) -> {
                for (int q = lo; q < hi; q++) {
                    Sgemm.sgemm(transA, transB, m, n, k, alpha, as, i(aOffset + q * strideA), lda,
                            bs, i(bOffset + q * strideB), ldb, beta, cs, i(cOffset + q * strideC), n, serial);
                }
            });
            return;
        }
        for (int q = 0; q < batch; q++) {
            Sgemm.sgemm(transA, transB, m, n, k, alpha, as, i(aOffset + q * strideA), lda,
                    bs, i(bOffset + q * strideB), ldb, beta, cs, i(cOffset + q * strideC), n, par);
        }
    }

    /** {@code y = x·Wᵀ + bias} (bias may be null), then {@code activated = act(y)} when {@code act} is not null. */
    static void linearForward(Buffer x, Buffer w, Buffer bias, Buffer y, int rows, int in, int out,
                              UnaryOp act, Buffer activated, CpuParallel par) {
        Sgemm.sgemmBias(false, true, rows, out, in, 1f, d(x), 0, in, d(w), 0, in, d(bias), 0, d(y), 0, out,
                act, d(activated), par);
    }

    /** Products of at least this many flops are split across the workers (as in {@link SgemmVector}). */
    private static final long PARALLEL_FLOPS = 1L << 21;

    /**
     * {@code gx = g·W} and {@code gW = gᵀ·x} (either may be null). With exactly two workers and both products big
     * enough to be split, they run side by side, one per worker, in one parallel region; else one after the other
     * on every worker. A product's bits do not depend on how many workers compute it.
     */
    static void linearBackward(Buffer g, Buffer x, Buffer w, Buffer gx, Buffer gw, int rows, int in, int out,
                               CpuParallel par, CpuParallel serial) {
        float[] gs = d(g), xs = d(x), ws = d(w), gxs = d(gx), gws = d(gw);
        if (gxs != null && gws != null && par.threads() == 2 && 2L * rows * in * out >= PARALLEL_FLOPS) {
            par.forRange(2, 1, (lo, hi) -> {
                for (int q = lo; q < hi; q++) {
                    if (q == 0) {
                        Sgemm.sgemm(false, false, rows, in, out, 1f, gs, 0, out, ws, 0, in, 0f, gxs, 0, in, serial);
                    } else {
                        Sgemm.sgemm(true, false, out, in, rows, 1f, gs, 0, out, xs, 0, in, 0f, gws, 0, in, serial);
                    }
                }
            });
            return;
        }
        if (gxs != null) {
            Sgemm.sgemm(false, false, rows, in, out, 1f, gs, 0, out, ws, 0, in, 0f, gxs, 0, in, par);
        }
        if (gws != null) {
            Sgemm.sgemm(true, false, out, in, rows, 1f, gs, 0, out, xs, 0, in, 0f, gws, 0, in, par);
        }
    }
}
