package io.vrfm.backend.cpu;

/**
 * The scalar SGEMM, used when the JVM runs without the Vector API module (and for tiny products, where packing
 * does not pay). It blocks over k, packs {@code op(B)} row-major into a contiguous {@code kc×n} block, and runs
 * four-row AXPY updates whose inner loop the JIT vectorises by itself. Rows are split across the workers.
 *
 * <p>No reference to {@code jdk.incubator.vector} may appear in this class.
 */
final class SgemmScalar {

    private static final int KC = 256;
    private static final int NC = 2048;

    private static final ThreadLocal<float[]> B_PACK = ThreadLocal.withInitial(() -> new float[KC * NC]);

    private SgemmScalar() {
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc, CpuParallel par) {
        Sgemm.checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        Sgemm.scaleC(m, n, beta, c, cOff, ldc);
        if (k == 0 || alpha == 0f) {
            return;
        }
        long flops = 2L * m * n * k;
        CpuParallel p = (par == null || flops < (1L << 20)) ? null : par;
        float[] bp = B_PACK.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                final int fjc = jc, fpc = pc;
                if (p == null) {
                    rows(transA, 0, m, nc, kc, alpha, a, aOff, lda, fpc, bp, c, cOff + fjc, ldc);
                } else {
                    p.forRange(m, 4, (from, to) ->
                            rows(transA, from, to, nc, kc, alpha, a, aOff, lda, fpc, bp, c, cOff + fjc, ldc));
                }
            }
        }
    }

    /** {@code bp[p·nc + j] = op(B)[pc + p, jc + j]}. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                              float[] bp) {
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bOff + (pc + p) * ldb + jc, bp, p * nc, nc);
            }
        } else {
            for (int j = 0; j < nc; j++) {
                int src = bOff + (jc + j) * ldb + pc;
                for (int p = 0; p < kc; p++) {
                    bp[p * nc + j] = b[src + p];
                }
            }
        }
    }

    private static float opA(boolean transA, float[] a, int aOff, int lda, int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    /** C rows {@code [from, to)} (columns {@code [0, nc)} from {@code c0}) += alpha·op(A)[rows, pc:pc+kc]·bp. */
    private static void rows(boolean transA, int from, int to, int nc, int kc, float alpha,
                             float[] a, int aOff, int lda, int pc, float[] bp, float[] c, int c0, int ldc) {
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int r0 = c0 + i * ldc, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
            for (int p = 0; p < kc; p++) {
                float s0 = alpha * opA(transA, a, aOff, lda, i, pc + p);
                float s1 = alpha * opA(transA, a, aOff, lda, i + 1, pc + p);
                float s2 = alpha * opA(transA, a, aOff, lda, i + 2, pc + p);
                float s3 = alpha * opA(transA, a, aOff, lda, i + 3, pc + p);
                int bRow = p * nc;
                for (int j = 0; j < nc; j++) {
                    float bv = bp[bRow + j];
                    c[r0 + j] += s0 * bv;
                    c[r1 + j] += s1 * bv;
                    c[r2 + j] += s2 * bv;
                    c[r3 + j] += s3 * bv;
                }
            }
        }
        for (; i < to; i++) {
            int r0 = c0 + i * ldc;
            for (int p = 0; p < kc; p++) {
                float s0 = alpha * opA(transA, a, aOff, lda, i, pc + p);
                int bRow = p * nc;
                for (int j = 0; j < nc; j++) {
                    c[r0 + j] += s0 * bp[bRow + j];
                }
            }
        }
    }
}
