package io.vrfm.backend.cpu;

import io.vrfm.backend.FloatSinCos;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatSinCos#sinCos} with the double-precision reduction, polynomials, quadrant selection and the checks
 * before rounding run lane-wise (8 angles per 512-bit vector, 4 per 256-bit): the same double operations in the
 * same order as the scalar code, so every lane's double is the scalar loop's double, and the float written is
 * {@code (float)} of it. A vector with a lane that the scalar code would hand to {@code Math} (angle out of range,
 * a result near a float midpoint: {@link FloatSinCos#roundSin}) goes through the scalar code whole, as does a
 * block's last, partly filled vector. Bit for bit {@code (float) Math.sin} and
 * {@code Math.cos} on every path. Only loaded when {@link Sgemm#vectorized()} says the Vector API module is present.
 */
final class FloatSinCosVector {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    @SuppressWarnings("unchecked")
    private static final Class<DoubleVector> DV = (Class<DoubleVector>) S.vectorType();
    /** {@link FloatSinCos}'s range and midpoint guard as bit patterns: the checks compare the doubles' bits. */
    private static final long MIN_BITS = Double.doubleToRawLongBits(FloatSinCos.MIN),
            MAX_BITS = Double.doubleToRawLongBits(FloatSinCos.MAX),
            NEAR_LO = FloatSinCos.MID - FloatSinCos.GUARD_ULPS, NEAR_SPAN = 2 * FloatSinCos.GUARD_ULPS;
    /** Angles per pass: the scratch rows hold this many doubles (a multiple of every species' length). */
    static final int BLOCK = 64;
    /** Per thread: the angles widened to double, then the sin and cos doubles of a vector that passed the checks. */
    private static final ThreadLocal<double[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new double[][] {new double[BLOCK], new double[BLOCK], new double[BLOCK]});

    private FloatSinCosVector() {
    }

    /** Angles per vector. */
    static int lanes() {
        return S.length();
    }

    /** As {@link io.vrfm.backend.Backend#hostSinCos}: row {@code r} of the angles is {@code a[r·cols ..]}. */
    static void sinCos(float[] a, int rows, int cols, float[] sin, int sinAt, float[] cos, int cosAt, int rowStride) {
        double[][] scratch = SCRATCH.get();   // once per call: a lookup per row cost as much as the row's polynomials
        double[] x = scratch[0], sv = scratch[1], cv = scratch[2];
        int lanes = S.length();
        for (int r = 0; r < rows; r++) {
            int aRow = r * cols, sRow = sinAt + r * rowStride, cRow = cosAt + r * rowStride;
            for (int at = 0; at < cols; at += BLOCK) {
                int len = Math.min(BLOCK, cols - at), full = len - len % lanes;
                for (int i = 0; i < full; i++) {
                    x[i] = a[aRow + at + i];
                }
                for (int i = 0; i < full; i += lanes) {
                    int k = at + i;
                    if (rounded(x, sv, cv, i)) {
                        for (int l = i; l < i + lanes; l++) {
                            sin[sRow + at + l] = (float) sv[l];
                            cos[cRow + at + l] = (float) cv[l];
                        }
                    } else {
                        FloatSinCos.sinCos(a, aRow + k, lanes, sin, sRow + k, cos, cRow + k);
                    }
                }
                FloatSinCos.sinCos(a, aRow + at + full, len - full, sin, sRow + at + full, cos, cRow + at + full);
            }
        }
    }

    /**
     * The doubles {@link FloatSinCos#sinCos} rounds for the vector of angles at {@code xs[i]}, written to {@code sv}
     * and {@code cv} at {@code i}, or false, where a lane must go to {@code Math}. Takes arrays, not vectors: a vector
     * argument is boxed on the heap where the call is not inlined; and doubles, not floats: widening the floats
     * lane-wise would take a second vector shape, which the engine avoids (see {@code ArchitectureTest}). The quadrant
     * ({@code n mod 4}, the low bits of {@code n + 1.5·2^52}) picks {@code ±s} or {@code ±c} by exchanging and
     * negating bits: exactly what the scalar code's weights of 0 and ±1 give for the nonzero, finite {@code s} and
     * {@code c} of an angle in range.
     */
    private static boolean rounded(double[] xs, double[] sv, double[] cv, int i) {
        DoubleVector x = DoubleVector.fromArray(S, xs, i);
        DoubleVector shifted = x.mul(FloatSinCos.TWO_OVER_PI).add(FloatSinCos.ROUNDER);
        DoubleVector n = shifted.sub(FloatSinCos.ROUNDER);
        DoubleVector r = x.sub(n.mul(FloatSinCos.P1)).sub(n.mul(FloatSinCos.P2)).sub(n.mul(FloatSinCos.P3));
        DoubleVector z = r.mul(r);
        DoubleVector z2 = z.mul(z), z4 = z2.mul(z2);
        DoubleVector ps = z.mul(FloatSinCos.S5).add(FloatSinCos.S3)
                .add(z2.mul(z.mul(FloatSinCos.S9).add(FloatSinCos.S7)))
                .add(z4.mul(z.mul(FloatSinCos.S13).add(FloatSinCos.S11)
                        .add(z2.mul(z.mul(FloatSinCos.S17).add(FloatSinCos.S15)))));
        DoubleVector s = r.add(r.mul(z).mul(ps));
        DoubleVector pc = z.mul(FloatSinCos.C4).add(FloatSinCos.C2)
                .add(z2.mul(z.mul(FloatSinCos.C8).add(FloatSinCos.C6)))
                .add(z4.mul(z.mul(FloatSinCos.C12).add(FloatSinCos.C10)
                        .add(z2.mul(z.mul(FloatSinCos.C16).add(FloatSinCos.C14)))))
                .add(z4.mul(z4).mul(FloatSinCos.C18));
        DoubleVector c = z.mul(pc).add(1.0);
        LongVector q = shifted.reinterpretAsLongs();
        LongVector sb = s.reinterpretAsLongs(), cb = c.reinterpretAsLongs();
        LongVector swap = sb.lanewise(VectorOperators.XOR, cb).and(q.and(1L).neg());
        LongVector sinBits = sb.lanewise(VectorOperators.XOR, swap)
                .lanewise(VectorOperators.XOR, q.and(2L).lanewise(VectorOperators.LSHL, 62));
        LongVector cosBits = cb.lanewise(VectorOperators.XOR, swap).lanewise(VectorOperators.XOR,
                q.lanewise(VectorOperators.XOR, q.lanewise(VectorOperators.LSHR, 1)).and(1L)
                        .lanewise(VectorOperators.LSHL, 63));
        LongVector ax = x.reinterpretAsLongs().and(Long.MAX_VALUE);
        LongVector sl = sinBits.and(FloatSinCos.LOW29).sub(NEAR_LO);
        LongVector cl = cosBits.and(FloatSinCos.LOW29).sub(NEAR_LO);
        VectorMask<Long> bad = ax.compare(VectorOperators.LT, MIN_BITS).or(ax.compare(VectorOperators.GT, MAX_BITS))
                .or(sl.compare(VectorOperators.GE, 0L).and(sl.compare(VectorOperators.LE, NEAR_SPAN)))
                .or(cl.compare(VectorOperators.GE, 0L).and(cl.compare(VectorOperators.LE, NEAR_SPAN)));
        if (bad.anyTrue()) {
            return false;
        }
        DV.cast(sinBits.reinterpretAsDoubles()).intoArray(sv, i);
        DV.cast(cosBits.reinterpretAsDoubles()).intoArray(cv, i);
        return true;
    }

}
