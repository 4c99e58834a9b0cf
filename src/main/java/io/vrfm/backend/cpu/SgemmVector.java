package io.vrfm.backend.cpu;

import java.util.concurrent.atomic.AtomicIntegerArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on the incubating Vector API, GotoBLAS-style. For each {@code NC}-column block and {@code KC}-deep slice
 * (one parallel region each), {@code op(B)} is packed into {@code KC×NR} panels (zero-padded) and every worker
 * packs its own {@code MC×KC} block of {@code alpha·op(A)} into {@code MR}-row slivers, then runs the
 * {@code MR×NR} register-tiled micro-kernel over them. The B panels are packed cooperatively inside the region:
 * the first worker to need a panel claims and packs it, a worker that finds it claimed waits for it, and the workers
 * start their sweep at different panels so each packs its share. {@code beta} 0 or 1 is folded into the
 * first k-slice's stores, so C is written once per k-slice and never cleared beforehand.
 *
 * <p>The accumulators are local variables: held in a {@code FloatVector[]} they are boxed and the kernel runs ten
 * times slower. This class is loaded only when {@code jdk.incubator.vector} is in the boot layer.
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

    /** At or below this many flops the scalar kernel is used: packing for SIMD does not pay. */
    private static final long SMALL_FLOPS = 2L * 24 * 24 * 24;
    /** Below this many flops the product runs on the calling thread. */
    private static final long PARALLEL_FLOPS = 1L << 21;

    /** Per-thread buffers, grown on demand (small products never allocate a full block). */
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
        if (flops <= SMALL_FLOPS || k == 0 || alpha == 0f) {
            SgemmScalar.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
            return;
        }
        if (n < L && m > n) {
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
        if (beta != 0f && beta != 1f) {
            Sgemm.scaleC(m, n, beta, c, cOff, ldc);   // rare; beta == 0 and 1 are folded into the stores
            beta = 1f;
        }
        int threads = (par == null || flops < PARALLEL_FLOPS) ? 1 : par.threads();
        int ncMax = Math.min(NC, n), kcMax = Math.min(KC, k);
        float[] bp = buffer(B_PACK, kcMax * ((ncMax + NR - 1) / NR) * NR);
        int slivers = (m + MR - 1) / MR;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                Region r = new Region(transA, transB, m, alpha, a, aOff, lda, b, bOff, ldb,
                        pc == 0 && beta == 0f, c, cOff, ldc, jc, nc, pc, kc, bp);
                int panels = r.panels;
                if (threads == 1) {
                    r.run(0, slivers, 0, panels, 0);
                } else if (slivers >= 2 * threads || slivers >= panels) {
                    // split rows: slot t takes its share of slivers and sweeps every panel, starting at its own
                    int slots = Math.min(threads, slivers);
                    par.forRange(slots, 1, (t0, t1) -> {
                        for (int t = t0; t < t1; t++) {
                            r.run((int) ((long) slivers * t / slots), (int) ((long) slivers * (t + 1) / slots),
                                    0, panels, (int) ((long) panels * t / slots));
                        }
                    });
                } else {
                    // few rows, many columns: split panels; each worker packs the (few) rows of A itself
                    par.forRange(panels, 1, (q0, q1) -> r.run(0, slivers, q0, q1, 0));
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

    /**
     * One (jc, pc) block: {@code C[:, jc:jc+nc] (=|+=) alpha·op(A)[:, pc:pc+kc]·op(B)[pc:pc+kc, jc:jc+nc]}, storing
     * when {@code overwrite} (first k-slice with {@code beta == 0}), accumulating otherwise.
     */
    private static final class Region {
        private static final int UNPACKED = 0, CLAIMED = 1, READY = 2, FAILED = 3;

        final boolean transA, transB;
        final int m;
        final float alpha;
        final float[] a;
        final int aOff, lda;
        final float[] b;
        final int bOff, ldb;
        final boolean overwrite;
        final float[] c;
        final int cOff, ldc;
        final int jc, nc, pc, kc, panels;
        final float[] bp;
        final AtomicIntegerArray state;

        Region(boolean transA, boolean transB, int m, float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb, boolean overwrite, float[] c, int cOff, int ldc,
               int jc, int nc, int pc, int kc, float[] bp) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.overwrite = overwrite;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.jc = jc;
            this.nc = nc;
            this.pc = pc;
            this.kc = kc;
            this.panels = (nc + NR - 1) / NR;
            this.bp = bp;
            this.state = new AtomicIntegerArray(panels);
        }

        /**
         * Makes panel {@code q} of B ready: packs it if nobody has, else waits for the worker packing it. A worker
         * that claims a panel packs it before anything else, so the wait always ends.
         */
        void ensurePanel(int q) {
            int st = state.get(q);
            if (st == READY) {
                return;
            }
            if (st == UNPACKED && state.compareAndSet(q, UNPACKED, CLAIMED)) {
                boolean ok = false;
                try {
                    packPanel(q);
                    ok = true;
                } finally {
                    state.set(q, ok ? READY : FAILED);
                }
                return;
            }
            for (int spins = 0; (st = state.get(q)) != READY; spins++) {
                if (st == FAILED) {
                    throw new IllegalStateException("sgemm: packing a B panel failed on another worker");
                }
                if (spins < 256) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // the packer may be descheduled (more threads than cores): let it run
                }
            }
        }

        /** Packs {@code op(B)[pc:pc+kc, jc+q·NR : +NR]} into {@code bp[q·kc·NR + p·NR + j]}, zero-padded. */
        private void packPanel(int q) {
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

        /**
         * Packs {@code alpha·op(A)[i0:i0+rows, pc:pc+kc]} into MR-row slivers {@code ap[s·kc·MR + p·MR + r]},
         * zero-padding the last sliver.
         */
        private void packA(int i0, int rows, float[] ap) {
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

        /** Slivers {@code [s0, s1)} × panels {@code [q0, q1)}, the panel sweep starting at {@code qStart}. */
        void run(int s0, int s1, int q0, int q1, int qStart) {
            float[] ap = buffer(A_PACK, kc * MC);
            float[] tile = TILE.get();
            int count = q1 - q0;
            int first = Math.max(0, Math.min(count - 1, qStart - q0));
            int slPerBlock = MC / MR;
            for (int sb = s0; sb < s1; sb += slPerBlock) {
                int se = Math.min(s1, sb + slPerBlock);
                int i0 = sb * MR;
                packA(i0, Math.min(m, se * MR) - i0, ap);
                for (int qi = 0; qi < count; qi++) {
                    int q = q0 + (first + qi) % count;
                    ensurePanel(q);
                    int j0 = q * NR;
                    int w = Math.min(NR, nc - j0);
                    int bo = q * kc * NR;
                    for (int s = sb; s < se; s++) {
                        int i = s * MR;
                        int h = Math.min(MR, m - i);
                        int ao = (s - sb) * kc * MR;
                        int co = cOff + i * ldc + jc + j0;
                        if (h == MR && w == NR) {
                            kernel(kc, ap, ao, bp, bo, c, co, ldc, overwrite);
                        } else {
                            kernel(kc, ap, ao, bp, bo, tile, 0, NR, true);
                            for (int r = 0; r < h; r++) {
                                int cr = co + r * ldc;
                                for (int j = 0; j < w; j++) {
                                    float v = tile[r * NR + j];
                                    c[cr + j] = overwrite ? v : c[cr + j] + v;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code C[0:MR, 0:NR] += acc}, or {@code = acc} without reading C when {@code overwrite}, where
     * {@code acc = ap-sliver · bp-panel} over {@code kc}. (A version with a third store
     * variant, for a general beta, ran at about 1 GFLOP/s here: keep this method small enough for C2 to inline and
     * intrinsify every vector call.) Sixteen accumulators, two B vectors and one broadcast stay in registers.
     */
    static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean overwrite) {
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
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
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
        if (overwrite) {
            c00.intoArray(c, co);
            c01.intoArray(c, co + L);
            c10.intoArray(c, co + 1 * ldc);
            c11.intoArray(c, co + 1 * ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
            c40.intoArray(c, co + 4 * ldc);
            c41.intoArray(c, co + 4 * ldc + L);
            c50.intoArray(c, co + 5 * ldc);
            c51.intoArray(c, co + 5 * ldc + L);
            c60.intoArray(c, co + 6 * ldc);
            c61.intoArray(c, co + 6 * ldc + L);
            c70.intoArray(c, co + 7 * ldc);
            c71.intoArray(c, co + 7 * ldc + L);
        } else {
            c00.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
            c01.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
            c10.add(FloatVector.fromArray(S, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
            c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L)).intoArray(c, co + 1 * ldc + L);
            c20.add(FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L)).intoArray(c, co + 2 * ldc + L);
            c30.add(FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L)).intoArray(c, co + 3 * ldc + L);
            c40.add(FloatVector.fromArray(S, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
            c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L)).intoArray(c, co + 4 * ldc + L);
            c50.add(FloatVector.fromArray(S, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
            c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L)).intoArray(c, co + 5 * ldc + L);
            c60.add(FloatVector.fromArray(S, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
            c61.add(FloatVector.fromArray(S, c, co + 6 * ldc + L)).intoArray(c, co + 6 * ldc + L);
            c70.add(FloatVector.fromArray(S, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
            c71.add(FloatVector.fromArray(S, c, co + 7 * ldc + L)).intoArray(c, co + 7 * ldc + L);
        }
    }
}
