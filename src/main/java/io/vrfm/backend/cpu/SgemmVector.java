package io.vrfm.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on the incubating Vector API, GotoBLAS-style: for each {@code NC}-column block and {@code KC}-deep slice,
 * {@code op(B)} is packed into {@code KC×NR} panels (zero-padded), then every worker packs its own {@code MC×KC}
 * block of {@code alpha·op(A)} into {@code MR}-row slivers and runs the {@code MR×NR} register-tiled micro-kernel
 * over them. The accumulators are local variables: held in a {@code FloatVector[]} they are boxed and the kernel
 * runs ten times slower. Loaded only when {@code jdk.incubator.vector} is in the boot layer.
 */
final class SgemmVector {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Micro-tile: MR rows × NR = 2 vectors of columns (8 × 32 floats with 512-bit vectors). */
    static final int MR = 8;
    static final int NR = 2 * L;
    /**
     * Cache blocking, tuned on a 2-core AVX-512 Zen 4 (32 KiB L1d, 1 MiB L2): depth KC = 512, an A block of
     * MC = 128 rows (256 KiB packed, lives in L2), column blocks of NC = 2048 (packed B block 4 MiB, in L3).
     */
    static final int KC = 512;
    static final int MC = 128;          // multiple of MR
    static final int NC = 2048;         // multiple of NR

    /** Below this many flops the scalar kernel is faster than packing. */
    private static final long SMALL_FLOPS = 2L * 24 * 24 * 24;

    /** Per-thread packing buffers, grown on demand (small products never allocate the full block). */
    private static final ThreadLocal<float[]> B_PACK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> A_PACK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> T_BUF = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private SgemmVector() {
    }

    static boolean usable() {
        return L >= 4;
    }

    static int vectorBits() {
        return S.vectorBitSize();
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc, CpuParallel par) {
        if (m == 0 || n == 0) {
            return;
        }
        long flops = 2L * m * n * k;
        if (flops <= SMALL_FLOPS) {
            SgemmScalar.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
            return;
        }
        if (n < L && m > n && k > 0 && alpha != 0f) {
            // Few columns (a 2-D output layer, say): the NR-wide panels would be mostly padding. Compute the
            // transpose T = op(B)ᵀ·op(A)ᵀ (n×m, many columns) instead and add it back transposed.
            float[] t = buffer(T_BUF, n * m);
            sgemm(!transB, !transA, n, m, k, alpha, b, bOff, ldb, a, aOff, lda, 0f, t, 0, m, par);
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    float v = t[j * m + i];
                    c[row + j] = beta == 0f ? v : beta * c[row + j] + v;
                }
            }
            return;
        }
        Sgemm.scaleC(m, n, beta, c, cOff, ldc);
        if (k == 0 || alpha == 0f) {
            return;
        }
        int threads = (par == null || flops < (1L << 21)) ? 1 : par.threads();
        int ncMax = Math.min(NC, n), kcMax = Math.min(KC, k);
        float[] bp = buffer(B_PACK, kcMax * ((ncMax + NR - 1) / NR) * NR);
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
                    // split rows: each worker packs its own A slivers and sweeps all panels
                    par.forRange(slivers, 1, (s0, s1) ->
                            block(transA, s0, s1, 0, panels, m, nc, kc, alpha, a, aOff, lda, fpc, bp, c, cOff, ldc, fjc));
                } else {
                    // few rows, many columns: split panels, each worker packs all of A's (few) rows
                    par.forRange(panels, 1, (q0, q1) ->
                            block(transA, 0, slivers, q0, q1, m, nc, kc, alpha, a, aOff, lda, fpc, bp, c, cOff, ldc, fjc));
                }
            }
        }
    }

    private static float[] buffer(ThreadLocal<float[]> cache, int size) {
        float[] buf = cache.get();
        if (buf.length < size) {
            buf = new float[size];
            cache.set(buf);
        }
        return buf;
    }

    /** Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} into NR-column panels: {@code bp[q·kc·NR + p·NR + j]}. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                              float[] bp) {
        int panels = (nc + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            int j0 = q * NR;
            int w = Math.min(NR, nc - j0);
            int dst = q * kc * NR;
            if (!transB) {
                int src = bOff + pc * ldb + jc + j0;
                if (w == NR) {
                    for (int p = 0; p < kc; p++) {
                        System.arraycopy(b, src + p * ldb, bp, dst + p * NR, NR);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int d = dst + p * NR;
                        System.arraycopy(b, src + p * ldb, bp, d, w);
                        java.util.Arrays.fill(bp, d + w, d + NR, 0f);
                    }
                }
            } else {
                for (int j = 0; j < w; j++) {
                    int src = bOff + (jc + j0 + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        bp[dst + p * NR + j] = b[src + p];
                    }
                }
                if (w < NR) {
                    for (int p = 0; p < kc; p++) {
                        java.util.Arrays.fill(bp, dst + p * NR + w, dst + p * NR + NR, 0f);
                    }
                }
            }
        }
    }

    /**
     * Packs {@code alpha·op(A)[i0:i0+rows, pc:pc+kc]} into MR-row slivers: {@code ap[s·kc·MR + p·MR + r]},
     * zero-padding the last sliver.
     */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int pc, int kc,
                              float alpha, float[] ap) {
        int slivers = (rows + MR - 1) / MR;
        for (int s = 0; s < slivers; s++) {
            int r0 = s * MR;
            int h = Math.min(MR, rows - r0);
            int dst = s * kc * MR;
            if (!transA) {
                for (int r = 0; r < h; r++) {
                    int src = aOff + (i0 + r0 + r) * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        ap[dst + p * MR + r] = alpha * a[src + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + i0 + r0;
                    int d = dst + p * MR;
                    for (int r = 0; r < h; r++) {
                        ap[d + r] = alpha * a[src + r];
                    }
                }
            }
            if (h < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int r = h; r < MR; r++) {
                        ap[dst + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /** Slivers {@code [s0, s1)} × panels {@code [q0, q1)} of the current (jc, pc) block. */
    private static void block(boolean transA, int s0, int s1, int q0, int q1, int m, int nc, int kc, float alpha,
                              float[] a, int aOff, int lda, int pc, float[] bp, float[] c, int cOff, int ldc, int jc) {
        float[] ap = buffer(A_PACK, Math.min(KC, kc) * MC);
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
                            int cr = co + r * ldc;
                            for (int j = 0; j < w; j++) {
                                c[cr + j] += tile[r * NR + j];
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code C[0:MR, 0:NR] += ap-sliver · bp-panel} over {@code kc}; 16 accumulators, 2 B vectors, 1 broadcast. */
    static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            int ai = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 1 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai + 0]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        int r = co;
        c00.add(FloatVector.fromArray(S, c, r + 0 * L)).intoArray(c, r + 0 * L);
        c01.add(FloatVector.fromArray(S, c, r + 1 * L)).intoArray(c, r + 1 * L);
        r += ldc;
        c10.add(FloatVector.fromArray(S, c, r + 0 * L)).intoArray(c, r + 0 * L);
        c11.add(FloatVector.fromArray(S, c, r + 1 * L)).intoArray(c, r + 1 * L);
        r += ldc;
        c20.add(FloatVector.fromArray(S, c, r + 0 * L)).intoArray(c, r + 0 * L);
        c21.add(FloatVector.fromArray(S, c, r + 1 * L)).intoArray(c, r + 1 * L);
        r += ldc;
        c30.add(FloatVector.fromArray(S, c, r + 0 * L)).intoArray(c, r + 0 * L);
        c31.add(FloatVector.fromArray(S, c, r + 1 * L)).intoArray(c, r + 1 * L);
        r += ldc;
        c40.add(FloatVector.fromArray(S, c, r + 0 * L)).intoArray(c, r + 0 * L);
        c41.add(FloatVector.fromArray(S, c, r + 1 * L)).intoArray(c, r + 1 * L);
        r += ldc;
        c50.add(FloatVector.fromArray(S, c, r + 0 * L)).intoArray(c, r + 0 * L);
        c51.add(FloatVector.fromArray(S, c, r + 1 * L)).intoArray(c, r + 1 * L);
        r += ldc;
        c60.add(FloatVector.fromArray(S, c, r + 0 * L)).intoArray(c, r + 0 * L);
        c61.add(FloatVector.fromArray(S, c, r + 1 * L)).intoArray(c, r + 1 * L);
        r += ldc;
        c70.add(FloatVector.fromArray(S, c, r + 0 * L)).intoArray(c, r + 0 * L);
        c71.add(FloatVector.fromArray(S, c, r + 1 * L)).intoArray(c, r + 1 * L);
        r += ldc;
    }
}
