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
}
