package io.vrfm.backend.cpu;

/**
 * The scalar SGEMM, used when the JVM runs without the Vector API module (and by {@link SgemmVector} for tiny
 * products, where packing for SIMD does not pay). Same blocking as the vector kernel, in scalar form: {@code op(B)}
 * is packed into {@code KC×NR} panels, {@code alpha·op(A)} into {@code MR}-row slivers, and a 4×4 micro-kernel keeps
 * its sixteen accumulators in local variables. C2 does not auto-vectorise GEMM loops reliably on JDK 17 (AXPY loops
 * over two {@code float[]} stay scalar for want of alias information), so register tiling is what pays here.
 *
 * <p>No reference to {@code jdk.incubator.vector} may appear in this class.
 */
final class SgemmScalar {

    private static final int MR = 4;
    private static final int NR = 4;
    private static final int KC = 256;
    private static final int MC = 64;          // multiple of MR
    private static final int NC = 1024;        // multiple of NR

    private static final ThreadScratch B_PACK = new ThreadScratch(Integer.MAX_VALUE);
    private static final ThreadScratch A_PACK = new ThreadScratch(Integer.MAX_VALUE);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

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
        int threads = (par == null || flops < (1L << 20)) ? 1 : par.threads();
        int ncMax = Math.min(NC, n), kcMax = Math.min(KC, k);
        float[] bp = B_PACK.get(kcMax * ((ncMax + NR - 1) / NR) * NR);
        int slivers = (m + MR - 1) / MR;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                final int fjc = jc, fpc = pc;
                if (threads == 1) {
                    block(transA, 0, slivers, 0, panels, m, nc, kc, alpha, a, aOff, lda, fpc, bp, c, cOff, ldc, fjc);
                } else if (slivers >= 2 * threads || slivers >= panels) {
                    par.forRange(slivers, 1, (s0, s1) ->
                            block(transA, s0, s1, 0, panels, m, nc, kc, alpha, a, aOff, lda, fpc, bp, c, cOff, ldc, fjc));
                } else {
                    par.forRange(panels, 1, (q0, q1) ->
                            block(transA, 0, slivers, q0, q1, m, nc, kc, alpha, a, aOff, lda, fpc, bp, c, cOff, ldc, fjc));
                }
            }
        }
    }

    /** Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} into NR-column panels: {@code bp[q·kc·NR + p·NR + j]}. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                              float[] bp) {
        int panels = (nc + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            int j0 = q * NR;
            int w = Math.min(NR, nc - j0);
            int dst = q * kc * NR;
            for (int p = 0; p < kc; p++) {
                int d = dst + p * NR;
                for (int j = 0; j < w; j++) {
                    bp[d + j] = transB ? b[bOff + (jc + j0 + j) * ldb + pc + p] : b[bOff + (pc + p) * ldb + jc + j0 + j];
                }
                for (int j = w; j < NR; j++) {
                    bp[d + j] = 0f;
                }
            }
        }
    }

    /** Packs {@code alpha·op(A)[i0:i0+rows, pc:pc+kc]} into MR-row slivers {@code ap[s·kc·MR + p·MR + r]}. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int pc, int kc,
                              float alpha, float[] ap) {
        int slivers = (rows + MR - 1) / MR;
        for (int s = 0; s < slivers; s++) {
            int r0 = s * MR;
            int h = Math.min(MR, rows - r0);
            int dst = s * kc * MR;
            for (int p = 0; p < kc; p++) {
                int d = dst + p * MR;
                for (int r = 0; r < h; r++) {
                    int i = i0 + r0 + r;
                    ap[d + r] = alpha * (transA ? a[aOff + (pc + p) * lda + i] : a[aOff + i * lda + pc + p]);
                }
                for (int r = h; r < MR; r++) {
                    ap[d + r] = 0f;
                }
            }
        }
    }

    private static void block(boolean transA, int s0, int s1, int q0, int q1, int m, int nc, int kc, float alpha,
                              float[] a, int aOff, int lda, int pc, float[] bp, float[] c, int cOff, int ldc, int jc) {
        float[] ap = A_PACK.get(kc * MC);
        float[] tile = TILE.get();
        int slPerBlock = MC / MR;
        for (int sb = s0; sb < s1; sb += slPerBlock) {
            int se = Math.min(s1, sb + slPerBlock);
            int i0 = sb * MR;
            int rows = Math.min(m, se * MR) - i0;
            packA(transA, a, aOff, lda, i0, rows, pc, kc, alpha, ap);
            for (int q = q0; q < q1; q++) {
                int j0 = q * NR;
                int w = Math.min(NR, nc - j0);
                int bo = q * kc * NR;
                for (int s = sb; s < se; s++) {
                    int i = s * MR;
                    int h = Math.min(MR, m - i);
                    int ao = (s - sb) * kc * MR;
                    int co = cOff + i * ldc + jc + j0;
                    if (h == MR && w == NR) {
                        kernel(kc, ap, ao, bp, bo, c, co, ldc);
                    } else {
                        java.util.Arrays.fill(tile, 0f);
                        kernel(kc, ap, ao, bp, bo, tile, 0, NR);
                        for (int r = 0; r < h; r++) {
                            for (int j = 0; j < w; j++) {
                                c[co + r * ldc + j] += tile[r * NR + j];
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code C[0:4, 0:4] += ap-sliver · bp-panel} over {@code kc}, sixteen scalar accumulators. */
    private static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR, bi = bo + p * NR;
            float a0 = ap[ai], a1 = ap[ai + 1], a2 = ap[ai + 2], a3 = ap[ai + 3];
            float b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        int r = co;
        c[r] += c00; c[r + 1] += c01; c[r + 2] += c02; c[r + 3] += c03;
        r += ldc;
        c[r] += c10; c[r + 1] += c11; c[r + 2] += c12; c[r + 3] += c13;
        r += ldc;
        c[r] += c20; c[r + 1] += c21; c[r + 2] += c22; c[r + 3] += c23;
        r += ldc;
        c[r] += c30; c[r + 1] += c31; c[r + 2] += c32; c[r + 3] += c33;
    }
}
