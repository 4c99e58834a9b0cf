package io.vrfm.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernels of {@link SgemmVector}, one method per {@link SgemmTile}: each computes
 * {@code C[0:MR, 0:NR] += acc}, or {@code = acc} without reading C when {@code overwrite}, where
 * {@code acc = ap-sliver · bp-panel} over {@code kc} (A packed {@code MR} floats per step; B {@code NR} floats per
 * step, step {@code p} at {@code bo + p·ldbp}: {@code ldbp = NR} for a packed panel, or B's own row length when
 * the kernel reads a row-major {@code op(B)} in place).
 *
 * <p>Keep each method this small and this plain: the accumulators are local variables (in a {@code FloatVector[]}
 * they are boxed and the kernel runs ten times slower), and a third store variant (a general beta) inside one
 * method made C2 give up inlining its vector calls (about 1 GFLOP/s). Drive every index of the k loop from one
 * induction variable with a constant stride ({@code ai += MR}, or {@code ai++} with the other rows of an in-place A
 * a loop-invariant distance away; a transposed A in place, rows adjacent, at constant offsets, except in the 6×2
 * kernel: see {@link #unit}) and step B by adding
 * {@code ldbp}: with {@code bi = bo + p·ldbp} and {@code ai = ao + p·aps + r·ars} recomputed per step C2 kept the
 * bounds checks and the index arithmetic in the loop (6×2 tile in L1, one thread, loaded AVX2 EPYC, thread CPU time:
 * 70–78 against 88–90 GFLOP/s packed, 62 against 77 with A read in place, about 60 against 66–80 with a transposed
 * A read in place; {@code SgemmKernelBenchMain}). Unrolling k by two measured slower (40).
 *
 * <p>One k loop per method. A method must compile at every tier, on-stack replacement included: the JIT first runs
 * a hot kernel through C1, where the Vector API is not intrinsified, and only C1's profile leads it to C2. The 8×2
 * in-place kernel once held its two loops (A row-major, A transposed) and a third, unused one in one method of 2070
 * bytes; C1 ran out of virtual registers compiling it for on-stack replacement, the method stayed in C1 code and a
 * 1000×128×128 product ran 100 times slower on an AVX-512 machine (48 against 5700 products/s;
 * {@code SgemmKernelsCompileTest} starts a JVM that compiles each kernel that way). This class is loaded only when
 * {@code jdk.incubator.vector} is in the boot layer.
 */
final class SgemmKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * 1, read from a non-final field so that C2 cannot fold it: {@link #kernel6x2AT} takes the offsets of its six
     * adjacent A floats from it ({@code ap[ai + d1]}, …). With the literal offsets 1…5, Temurin 25 at
     * {@code -XX:UseAVX=2} ran that kernel at half JDK 17's speed (1000×128×128 weight gradient, one thread, two runs:
     * 1,275 / 1,279 against 2,645 / 2,679 products/s on JDK 17); with this field 2,529 / 2,556, JDK 17 2,549 / 2,533.
     * The packed 6×2 kernel gains as much on JDK 25 from the same change (1024³ one thread: 21.6 / 22.3 → 38.2 / 30.7
     * GFLOP/s) but loses on JDK 17 (36.5 / 41.6 → 26.9 / 35.6), and the 8×2 kernels at AVX-512 lose on JDK 25, so
     * those keep literal offsets.
     */
    private static int unit = 1;
    /**
     * The concrete class of {@link #S}'s vectors. Every store in the vector kernels is written
     * {@code V.cast(v).intoArray(a, i)}: the cast gives C2 the vector's exact class, so the store's species is a
     * constant and the store compiles to one vector instruction. Without it, JDK 17's C2 takes the species from the
     * call's type profile; after some deoptimizations it keeps a virtual-call fallback there, the species is no longer
     * a constant, the store stays a boxed Java call, and the whole kernel allocates a vector object per store. That
     * happened in about a third of JVM starts (2-D V-RFM step: 6–54 MB allocated per step instead of 0.2, GELU backward
     * and the GEMM kernels 2–5 times slower; {@code StepCounts} shows the bytes).
     */
    @SuppressWarnings("unchecked")
    static final Class<FloatVector> V = (Class<FloatVector>) S.vectorType();

    private SgemmKernels() {
    }

    /** The 8×2-vector tile: 16 accumulators, 2 B vectors and one broadcast. */
    static void kernel8x2(int kc, float[] ap, int ao, float[] bp, int bo, int ldbp, float[] c, int co, int ldc,
                           boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
        for (int ai = ao, bi = bo, end = ao + 8 * kc; ai < end; ai += 8, bi += ldbp) {
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
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c40).intoArray(c, co + 4 * ldc);
            V.cast(c41).intoArray(c, co + 4 * ldc + L);
            V.cast(c50).intoArray(c, co + 5 * ldc);
            V.cast(c51).intoArray(c, co + 5 * ldc + L);
            V.cast(c60).intoArray(c, co + 6 * ldc);
            V.cast(c61).intoArray(c, co + 6 * ldc + L);
            V.cast(c70).intoArray(c, co + 7 * ldc);
            V.cast(c71).intoArray(c, co + 7 * ldc + L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c40.add(FloatVector.fromArray(S, c, co + 4 * ldc))).intoArray(c, co + 4 * ldc);
            V.cast(c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L))).intoArray(c, co + 4 * ldc + L);
            V.cast(c50.add(FloatVector.fromArray(S, c, co + 5 * ldc))).intoArray(c, co + 5 * ldc);
            V.cast(c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L))).intoArray(c, co + 5 * ldc + L);
            V.cast(c60.add(FloatVector.fromArray(S, c, co + 6 * ldc))).intoArray(c, co + 6 * ldc);
            V.cast(c61.add(FloatVector.fromArray(S, c, co + 6 * ldc + L))).intoArray(c, co + 6 * ldc + L);
            V.cast(c70.add(FloatVector.fromArray(S, c, co + 7 * ldc))).intoArray(c, co + 7 * ldc);
            V.cast(c71.add(FloatVector.fromArray(S, c, co + 7 * ldc + L))).intoArray(c, co + 7 * ldc + L);
        }
    }

    /** {@link #kernel8x2} reading A in place: row {@code r} of step {@code p} at {@code ao + p + r·ars}. */
    static void kernel8x2A(int kc, float[] ap, int ao, int ars, float[] bp, int bo, int ldbp,
                           float[] c, int co, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
        int d1 = ars, d2 = 2 * ars, d3 = 3 * ars, d4 = 4 * ars, d5 = 5 * ars, d6 = 6 * ars, d7 = 7 * ars;
        for (int ai = ao, bi = bo, end = ao + kc; ai < end; ai++, bi += ldbp) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + d1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + d2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + d3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + d4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + d5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[ai + d6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[ai + d7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (overwrite) {
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c40).intoArray(c, co + 4 * ldc);
            V.cast(c41).intoArray(c, co + 4 * ldc + L);
            V.cast(c50).intoArray(c, co + 5 * ldc);
            V.cast(c51).intoArray(c, co + 5 * ldc + L);
            V.cast(c60).intoArray(c, co + 6 * ldc);
            V.cast(c61).intoArray(c, co + 6 * ldc + L);
            V.cast(c70).intoArray(c, co + 7 * ldc);
            V.cast(c71).intoArray(c, co + 7 * ldc + L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c40.add(FloatVector.fromArray(S, c, co + 4 * ldc))).intoArray(c, co + 4 * ldc);
            V.cast(c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L))).intoArray(c, co + 4 * ldc + L);
            V.cast(c50.add(FloatVector.fromArray(S, c, co + 5 * ldc))).intoArray(c, co + 5 * ldc);
            V.cast(c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L))).intoArray(c, co + 5 * ldc + L);
            V.cast(c60.add(FloatVector.fromArray(S, c, co + 6 * ldc))).intoArray(c, co + 6 * ldc);
            V.cast(c61.add(FloatVector.fromArray(S, c, co + 6 * ldc + L))).intoArray(c, co + 6 * ldc + L);
            V.cast(c70.add(FloatVector.fromArray(S, c, co + 7 * ldc))).intoArray(c, co + 7 * ldc);
            V.cast(c71.add(FloatVector.fromArray(S, c, co + 7 * ldc + L))).intoArray(c, co + 7 * ldc + L);
        }
    }

    /**
     * {@link #kernel8x2} reading a transposed A in place: row {@code r} of step {@code p} at
     * {@code ao + p·aps + r} (a separate method: with both loops in one, C1 ran out of registers compiling it
     * for on-stack replacement and the method never reached C2; see the class comment).
     */
    static void kernel8x2AT(int kc, float[] ap, int ao, int aps, float[] bp, int bo, int ldbp,
                            float[] c, int co, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
        for (int p = 0, ai = ao, bi = bo; p < kc; p++, ai += aps, bi += ldbp) {
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
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c40).intoArray(c, co + 4 * ldc);
            V.cast(c41).intoArray(c, co + 4 * ldc + L);
            V.cast(c50).intoArray(c, co + 5 * ldc);
            V.cast(c51).intoArray(c, co + 5 * ldc + L);
            V.cast(c60).intoArray(c, co + 6 * ldc);
            V.cast(c61).intoArray(c, co + 6 * ldc + L);
            V.cast(c70).intoArray(c, co + 7 * ldc);
            V.cast(c71).intoArray(c, co + 7 * ldc + L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c40.add(FloatVector.fromArray(S, c, co + 4 * ldc))).intoArray(c, co + 4 * ldc);
            V.cast(c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L))).intoArray(c, co + 4 * ldc + L);
            V.cast(c50.add(FloatVector.fromArray(S, c, co + 5 * ldc))).intoArray(c, co + 5 * ldc);
            V.cast(c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L))).intoArray(c, co + 5 * ldc + L);
            V.cast(c60.add(FloatVector.fromArray(S, c, co + 6 * ldc))).intoArray(c, co + 6 * ldc);
            V.cast(c61.add(FloatVector.fromArray(S, c, co + 6 * ldc + L))).intoArray(c, co + 6 * ldc + L);
            V.cast(c70.add(FloatVector.fromArray(S, c, co + 7 * ldc))).intoArray(c, co + 7 * ldc);
            V.cast(c71.add(FloatVector.fromArray(S, c, co + 7 * ldc + L))).intoArray(c, co + 7 * ldc + L);
        }
    }

    /** The 6×2-vector tile: 12 accumulators, 2 B vectors and one broadcast. */
    static void kernel6x2(int kc, float[] ap, int ao, float[] bp, int bo, int ldbp, float[] c, int co, int ldc,
                           boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        for (int ai = ao, bi = bo, end = ao + 6 * kc; ai < end; ai += 6, bi += ldbp) {
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
        }
        if (overwrite) {
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c40).intoArray(c, co + 4 * ldc);
            V.cast(c41).intoArray(c, co + 4 * ldc + L);
            V.cast(c50).intoArray(c, co + 5 * ldc);
            V.cast(c51).intoArray(c, co + 5 * ldc + L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c40.add(FloatVector.fromArray(S, c, co + 4 * ldc))).intoArray(c, co + 4 * ldc);
            V.cast(c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L))).intoArray(c, co + 4 * ldc + L);
            V.cast(c50.add(FloatVector.fromArray(S, c, co + 5 * ldc))).intoArray(c, co + 5 * ldc);
            V.cast(c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L))).intoArray(c, co + 5 * ldc + L);
        }
    }

    /** {@link #kernel6x2} reading A in place: row {@code r} of step {@code p} at {@code ao + p + r·ars}. */
    static void kernel6x2A(int kc, float[] ap, int ao, int ars, float[] bp, int bo, int ldbp,
                           float[] c, int co, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        int d1 = ars, d2 = 2 * ars, d3 = 3 * ars, d4 = 4 * ars, d5 = 5 * ars;
        for (int ai = ao, bi = bo, end = ao + kc; ai < end; ai++, bi += ldbp) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + d1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + d2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + d3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + d4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + d5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (overwrite) {
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c40).intoArray(c, co + 4 * ldc);
            V.cast(c41).intoArray(c, co + 4 * ldc + L);
            V.cast(c50).intoArray(c, co + 5 * ldc);
            V.cast(c51).intoArray(c, co + 5 * ldc + L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c40.add(FloatVector.fromArray(S, c, co + 4 * ldc))).intoArray(c, co + 4 * ldc);
            V.cast(c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L))).intoArray(c, co + 4 * ldc + L);
            V.cast(c50.add(FloatVector.fromArray(S, c, co + 5 * ldc))).intoArray(c, co + 5 * ldc);
            V.cast(c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L))).intoArray(c, co + 5 * ldc + L);
        }
    }

    /**
     * {@link #kernel6x2} reading a transposed A in place: row {@code r} of step {@code p} at
     * {@code ao + p·aps + r} (a separate method: with both loops in one, C1 ran out of registers compiling it
     * for on-stack replacement and the method never reached C2; see the class comment).
     */
    static void kernel6x2AT(int kc, float[] ap, int ao, int aps, float[] bp, int bo, int ldbp,
                            float[] c, int co, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        int d1 = unit, d2 = 2 * unit, d3 = 3 * unit, d4 = 4 * unit, d5 = 5 * unit;   // see unit
        for (int p = 0, ai = ao, bi = bo; p < kc; p++, ai += aps, bi += ldbp) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + d1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + d2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + d3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + d4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + d5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (overwrite) {
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c40).intoArray(c, co + 4 * ldc);
            V.cast(c41).intoArray(c, co + 4 * ldc + L);
            V.cast(c50).intoArray(c, co + 5 * ldc);
            V.cast(c51).intoArray(c, co + 5 * ldc + L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c40.add(FloatVector.fromArray(S, c, co + 4 * ldc))).intoArray(c, co + 4 * ldc);
            V.cast(c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L))).intoArray(c, co + 4 * ldc + L);
            V.cast(c50.add(FloatVector.fromArray(S, c, co + 5 * ldc))).intoArray(c, co + 5 * ldc);
            V.cast(c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L))).intoArray(c, co + 5 * ldc + L);
        }
    }

    /** The 4×3-vector tile: 12 accumulators, 3 B vectors and one broadcast. */
    static void kernel4x3(int kc, float[] ap, int ao, float[] bp, int bo, int ldbp, float[] c, int co, int ldc,
                           boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S); FloatVector c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S); FloatVector c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S); FloatVector c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S); FloatVector c32 = FloatVector.zero(S);
        for (int ai = ao, bi = bo, end = ao + 4 * kc; ai < end; ai += 4, bi += ldbp) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
        }
        if (overwrite) {
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c02).intoArray(c, co + 2 * L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c12).intoArray(c, co + 1 * ldc + 2 * L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c22).intoArray(c, co + 2 * ldc + 2 * L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c32).intoArray(c, co + 3 * ldc + 2 * L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c02.add(FloatVector.fromArray(S, c, co + 2 * L))).intoArray(c, co + 2 * L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c12.add(FloatVector.fromArray(S, c, co + 1 * ldc + 2 * L))).intoArray(c, co + 1 * ldc + 2 * L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c22.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * L))).intoArray(c, co + 2 * ldc + 2 * L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c32.add(FloatVector.fromArray(S, c, co + 3 * ldc + 2 * L))).intoArray(c, co + 3 * ldc + 2 * L);
        }
    }

    /** {@link #kernel4x3} reading A in place: row {@code r} of step {@code p} at {@code ao + p + r·ars}. */
    static void kernel4x3A(int kc, float[] ap, int ao, int ars, float[] bp, int bo, int ldbp,
                           float[] c, int co, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S); FloatVector c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S); FloatVector c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S); FloatVector c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S); FloatVector c32 = FloatVector.zero(S);
        int d1 = ars, d2 = 2 * ars, d3 = 3 * ars;
        for (int ai = ao, bi = bo, end = ao + kc; ai < end; ai++, bi += ldbp) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, ap[ai + d1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, ap[ai + d2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, ap[ai + d3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
        }
        if (overwrite) {
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c02).intoArray(c, co + 2 * L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c12).intoArray(c, co + 1 * ldc + 2 * L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c22).intoArray(c, co + 2 * ldc + 2 * L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c32).intoArray(c, co + 3 * ldc + 2 * L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c02.add(FloatVector.fromArray(S, c, co + 2 * L))).intoArray(c, co + 2 * L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c12.add(FloatVector.fromArray(S, c, co + 1 * ldc + 2 * L))).intoArray(c, co + 1 * ldc + 2 * L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c22.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * L))).intoArray(c, co + 2 * ldc + 2 * L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c32.add(FloatVector.fromArray(S, c, co + 3 * ldc + 2 * L))).intoArray(c, co + 3 * ldc + 2 * L);
        }
    }

    /**
     * {@link #kernel4x3} reading a transposed A in place: row {@code r} of step {@code p} at
     * {@code ao + p·aps + r} (a separate method: with both loops in one, C1 ran out of registers compiling it
     * for on-stack replacement and the method never reached C2; see the class comment).
     */
    static void kernel4x3AT(int kc, float[] ap, int ao, int aps, float[] bp, int bo, int ldbp,
                            float[] c, int co, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S); FloatVector c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S); FloatVector c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S); FloatVector c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S); FloatVector c32 = FloatVector.zero(S);
        // no constant-offset loop for a transposed A on this tile: it measured slower (37 against 50-64 GFLOP/s)
        for (int p = 0, ai = ao, bi = bo; p < kc; p++, ai += aps, bi += ldbp) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
        }
        if (overwrite) {
            V.cast(c00).intoArray(c, co);
            V.cast(c01).intoArray(c, co + L);
            V.cast(c02).intoArray(c, co + 2 * L);
            V.cast(c10).intoArray(c, co + 1 * ldc);
            V.cast(c11).intoArray(c, co + 1 * ldc + L);
            V.cast(c12).intoArray(c, co + 1 * ldc + 2 * L);
            V.cast(c20).intoArray(c, co + 2 * ldc);
            V.cast(c21).intoArray(c, co + 2 * ldc + L);
            V.cast(c22).intoArray(c, co + 2 * ldc + 2 * L);
            V.cast(c30).intoArray(c, co + 3 * ldc);
            V.cast(c31).intoArray(c, co + 3 * ldc + L);
            V.cast(c32).intoArray(c, co + 3 * ldc + 2 * L);
        } else {
            V.cast(c00.add(FloatVector.fromArray(S, c, co))).intoArray(c, co);
            V.cast(c01.add(FloatVector.fromArray(S, c, co + L))).intoArray(c, co + L);
            V.cast(c02.add(FloatVector.fromArray(S, c, co + 2 * L))).intoArray(c, co + 2 * L);
            V.cast(c10.add(FloatVector.fromArray(S, c, co + 1 * ldc))).intoArray(c, co + 1 * ldc);
            V.cast(c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L))).intoArray(c, co + 1 * ldc + L);
            V.cast(c12.add(FloatVector.fromArray(S, c, co + 1 * ldc + 2 * L))).intoArray(c, co + 1 * ldc + 2 * L);
            V.cast(c20.add(FloatVector.fromArray(S, c, co + 2 * ldc))).intoArray(c, co + 2 * ldc);
            V.cast(c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L))).intoArray(c, co + 2 * ldc + L);
            V.cast(c22.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * L))).intoArray(c, co + 2 * ldc + 2 * L);
            V.cast(c30.add(FloatVector.fromArray(S, c, co + 3 * ldc))).intoArray(c, co + 3 * ldc);
            V.cast(c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L))).intoArray(c, co + 3 * ldc + L);
            V.cast(c32.add(FloatVector.fromArray(S, c, co + 3 * ldc + 2 * L))).intoArray(c, co + 3 * ldc + 2 * L);
        }
    }
}
