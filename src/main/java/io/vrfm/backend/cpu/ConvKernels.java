package io.vrfm.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static io.vrfm.backend.cpu.SgemmKernels.L;
import static io.vrfm.backend.cpu.SgemmKernels.S;

/**
 * The register-tiled micro-kernels of {@link ConvShiftedGemm}: {@code MR = 6} rows × 2 vectors ({@code NR = 2L}
 * columns) of accumulators, like {@link SgemmKernels#kernel6x2}, but reading the A operand straight out of a
 * zero-padded image instead of a packed sliver. The B operand is a packed panel, {@code NR} floats per step. Each
 * kernel computes {@code C[0:6, 0:NR] (= | +=) acc} with C's rows {@code ldc} apart, every element summed over the
 * steps in order by one chain of fused multiply-adds.
 * <ul>
 *   <li>{@link #shiftedRows}: row {@code r} of step {@code p} is {@code a[ao + off[p] + r]}: six neighbouring
 *       output pixels, the step's (channel, kernel row, kernel column) a shift {@code off[p]} into the image (the
 *       forward and backward-data passes).</li>
 *   <li>{@link #offsetRows}: row {@code r} of step {@code p} is {@code a[a_r + p]}: six (channel, kernel row, kernel
 *       column) windows, the steps consecutive pixels (the backward-filter pass).</li>
 * </ul>
 * Where a pass produces fewer channels than a vector, a column panel would be mostly padding; the narrow kernels
 * turn the tile round, {@link #NARROW_ROWS} channels as rows of accumulators and the pixels as lanes:
 * <ul>
 *   <li>{@link #narrowPixels}: four channels × two vectors of neighbouring virtual pixels, summed over the steps
 *       (forward);</li>
 *   <li>{@link #narrowTaps}: four channels × two taps, summed over a run of pixels, lanes reduced at the end
 *       (backward filter).</li>
 * </ul>
 * Keep them as plain as {@link SgemmKernels} (accumulators in locals, two store variants). Loaded only when
 * {@code jdk.incubator.vector} is in the boot layer.
 */
final class ConvKernels {

    /** Rows of the register tile. */
    static final int MR = 6;
    /** Columns of the register tile (two vectors). */
    static final int NR = 2 * L;

    /** Channels per narrow tile (rows of {@link #narrowPixels} and {@link #narrowTaps}). */
    static final int NARROW_ROWS = 4;

    private ConvKernels() {
    }

    /**
     * {@code c[co + g·ldc + j] = Σ_p w[wo + 4p + g] · a[ao + off[p] + j]} for channels {@code g < 4} and the
     * {@code 2L} virtual pixels {@code j}: the steps in order, one chain of fused multiply-adds per element (as
     * {@link #shiftedRows}).
     */
    static void narrowPixels(int steps, float[] a, int ao, int[] off, float[] w, int wo, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        for (int p = 0, wi = wo; p < steps; p++, wi += NARROW_ROWS) {
            int ai = ao + off[p];
            FloatVector x0 = FloatVector.fromArray(S, a, ai);
            FloatVector x1 = FloatVector.fromArray(S, a, ai + L);
            FloatVector b;
            b = FloatVector.broadcast(S, w[wi]);
            c00 = x0.fma(b, c00);
            c01 = x1.fma(b, c01);
            b = FloatVector.broadcast(S, w[wi + 1]);
            c10 = x0.fma(b, c10);
            c11 = x1.fma(b, c11);
            b = FloatVector.broadcast(S, w[wi + 2]);
            c20 = x0.fma(b, c20);
            c21 = x1.fma(b, c21);
            b = FloatVector.broadcast(S, w[wi + 3]);
            c30 = x0.fma(b, c30);
            c31 = x1.fma(b, c31);
        }
        SgemmKernels.V.cast(c00).intoArray(c, co);
        SgemmKernels.V.cast(c01).intoArray(c, co + L);
        SgemmKernels.V.cast(c10).intoArray(c, co + ldc);
        SgemmKernels.V.cast(c11).intoArray(c, co + ldc + L);
        SgemmKernels.V.cast(c20).intoArray(c, co + 2 * ldc);
        SgemmKernels.V.cast(c21).intoArray(c, co + 2 * ldc + L);
        SgemmKernels.V.cast(c30).intoArray(c, co + 3 * ldc);
        SgemmKernels.V.cast(c31).intoArray(c, co + 3 * ldc + L);
    }

    /**
     * {@code c[co + g·ldc + t] = Σ_j g[go + g·ldg + j] · a[a_t + j]} for channels {@code g < 4}, taps {@code t < 2}
     * and {@code j < count} (a multiple of L): lane-wise chains of fused multiply-adds, then each vector's lanes
     * added ({@code reduceLanes}).
     */
    static void narrowTaps(int count, float[] a, int a0, int a1, float[] g, int go, int ldg, float[] c, int co,
                           int ldc) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        // one induction variable (as offsetRows): the other rows a loop-invariant distance from it
        int d = a1 - a0;
        for (int j = 0, i = a0, gi = go; j < count; j += L, i += L, gi += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, i);
            FloatVector x1 = FloatVector.fromArray(S, a, i + d);
            FloatVector y;
            y = FloatVector.fromArray(S, g, gi);
            c00 = x0.fma(y, c00);
            c01 = x1.fma(y, c01);
            y = FloatVector.fromArray(S, g, gi + ldg);
            c10 = x0.fma(y, c10);
            c11 = x1.fma(y, c11);
            y = FloatVector.fromArray(S, g, gi + 2 * ldg);
            c20 = x0.fma(y, c20);
            c21 = x1.fma(y, c21);
            y = FloatVector.fromArray(S, g, gi + 3 * ldg);
            c30 = x0.fma(y, c30);
            c31 = x1.fma(y, c31);
        }
        c[co] = c00.reduceLanes(VectorOperators.ADD);
        c[co + 1] = c01.reduceLanes(VectorOperators.ADD);
        c[co + ldc] = c10.reduceLanes(VectorOperators.ADD);
        c[co + ldc + 1] = c11.reduceLanes(VectorOperators.ADD);
        c[co + 2 * ldc] = c20.reduceLanes(VectorOperators.ADD);
        c[co + 2 * ldc + 1] = c21.reduceLanes(VectorOperators.ADD);
        c[co + 3 * ldc] = c30.reduceLanes(VectorOperators.ADD);
        c[co + 3 * ldc + 1] = c31.reduceLanes(VectorOperators.ADD);
    }

    /** The tile whose row {@code r} of step {@code p} is {@code a[ao + off[offFrom + p] + r]}; B at {@code bo + p·NR}. */
    static void shiftedRows(int kc, float[] a, int ao, int[] off, int offFrom, float[] b, int bo,
                            float[] c, int co, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        for (int p = offFrom, bi = bo, end = offFrom + kc; p < end; p++, bi += NR) {
            int ai = ao + off[p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (overwrite) {
            SgemmKernels.V.cast(c00).intoArray(c, co);
            SgemmKernels.V.cast(c01).intoArray(c, co + L);
            SgemmKernels.V.cast(c10).intoArray(c, co + ldc);
            SgemmKernels.V.cast(c11).intoArray(c, co + ldc + L);
            SgemmKernels.V.cast(c20).intoArray(c, co + 2 * ldc);
            SgemmKernels.V.cast(c21).intoArray(c, co + 2 * ldc + L);
            SgemmKernels.V.cast(c30).intoArray(c, co + 3 * ldc);
            SgemmKernels.V.cast(c31).intoArray(c, co + 3 * ldc + L);
            SgemmKernels.V.cast(c40).intoArray(c, co + 4 * ldc);
            SgemmKernels.V.cast(c41).intoArray(c, co + 4 * ldc + L);
            SgemmKernels.V.cast(c50).intoArray(c, co + 5 * ldc);
            SgemmKernels.V.cast(c51).intoArray(c, co + 5 * ldc + L);
        } else {
            SgemmKernels.V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            SgemmKernels.V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            SgemmKernels.V.cast(c10.add(FloatVector.fromArray(S, c, co + ldc))).intoArray(c, co + ldc);
            SgemmKernels.V.cast(c11.add(FloatVector.fromArray(S, c, co + ldc + L))).intoArray(c, co + ldc + L);
            SgemmKernels.V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            SgemmKernels.V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            SgemmKernels.V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            SgemmKernels.V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            SgemmKernels.V.cast(c40.add(FloatVector.fromArray(S, c, co + 4 * ldc))).intoArray(c, co + 4 * ldc);
            SgemmKernels.V.cast(c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L))).intoArray(c, co + 4 * ldc + L);
            SgemmKernels.V.cast(c50.add(FloatVector.fromArray(S, c, co + 5 * ldc))).intoArray(c, co + 5 * ldc);
            SgemmKernels.V.cast(c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L))).intoArray(c, co + 5 * ldc + L);
        }
    }

    /** The tile whose row {@code r} of step {@code p} is {@code a[a_r + p]}; B at {@code bo + p·NR}. */
    static void offsetRows(int kc, float[] a, int a0, int a1, int a2, int a3, int a4, int a5, float[] b, int bo,
                           float[] c, int co, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        // one induction variable for every row, the other rows a loop-invariant distance from it: with six
        // separate row indices (a[a_r + p]) C2's loop ran at half the speed (33 against 72 GFLOP/s, one thread)
        int d1 = a1 - a0, d2 = a2 - a0, d3 = a3 - a0, d4 = a4 - a0, d5 = a5 - a0;
        for (int i = a0, bi = bo, end = a0 + kc; i < end; i++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[i]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[i + d1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[i + d2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[i + d3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[i + d4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[i + d5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (overwrite) {
            SgemmKernels.V.cast(c00).intoArray(c, co);
            SgemmKernels.V.cast(c01).intoArray(c, co + L);
            SgemmKernels.V.cast(c10).intoArray(c, co + ldc);
            SgemmKernels.V.cast(c11).intoArray(c, co + ldc + L);
            SgemmKernels.V.cast(c20).intoArray(c, co + 2 * ldc);
            SgemmKernels.V.cast(c21).intoArray(c, co + 2 * ldc + L);
            SgemmKernels.V.cast(c30).intoArray(c, co + 3 * ldc);
            SgemmKernels.V.cast(c31).intoArray(c, co + 3 * ldc + L);
            SgemmKernels.V.cast(c40).intoArray(c, co + 4 * ldc);
            SgemmKernels.V.cast(c41).intoArray(c, co + 4 * ldc + L);
            SgemmKernels.V.cast(c50).intoArray(c, co + 5 * ldc);
            SgemmKernels.V.cast(c51).intoArray(c, co + 5 * ldc + L);
        } else {
            SgemmKernels.V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            SgemmKernels.V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            SgemmKernels.V.cast(c10.add(FloatVector.fromArray(S, c, co + ldc))).intoArray(c, co + ldc);
            SgemmKernels.V.cast(c11.add(FloatVector.fromArray(S, c, co + ldc + L))).intoArray(c, co + ldc + L);
            SgemmKernels.V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            SgemmKernels.V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            SgemmKernels.V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            SgemmKernels.V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            SgemmKernels.V.cast(c40.add(FloatVector.fromArray(S, c, co + 4 * ldc))).intoArray(c, co + 4 * ldc);
            SgemmKernels.V.cast(c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L))).intoArray(c, co + 4 * ldc + L);
            SgemmKernels.V.cast(c50.add(FloatVector.fromArray(S, c, co + 5 * ldc))).intoArray(c, co + 5 * ldc);
            SgemmKernels.V.cast(c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L))).intoArray(c, co + 5 * ldc + L);
        }
    }
}
