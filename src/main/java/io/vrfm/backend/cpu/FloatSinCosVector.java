package io.vrfm.backend.cpu;

import io.vrfm.backend.FloatSinCos;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatSinCos#sinCos} with the double-precision reduction, polynomials and quadrant selection run lane-wise
 * (8 angles per 512-bit vector, 4 per 256-bit): the same double operations in the same order as the scalar code, so
 * every lane's double is the scalar loop's double, and the rounding to float, the range check and the midpoint guard
 * ({@link FloatSinCos#roundSin}, {@link FloatSinCos#roundCos}) are the scalar code itself. Bit for bit {@code (float) Math.sin} and {@code Math.cos}
 * on every path. Only loaded when {@link Sgemm#vectorized()} says the Vector API module is present.
 */
final class FloatSinCosVector {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    @SuppressWarnings("unchecked")
    private static final Class<DoubleVector> V = (Class<DoubleVector>) S.vectorType();
    /** Angles per pass: the scratch rows hold this many doubles (a multiple of every species' length). */
    static final int BLOCK = 64;
    /** Per thread: the angles widened to double, then the sin and cos doubles before rounding. */
    private static final ThreadLocal<double[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new double[][] {new double[BLOCK], new double[BLOCK], new double[BLOCK]});

    private FloatSinCosVector() {
    }

    /** As {@link io.vrfm.backend.Backend#hostSinCos}: row {@code r} of the angles is {@code a[r·cols ..]}. */
    static void sinCos(float[] a, int rows, int cols, float[] sin, int sinAt, float[] cos, int cosAt, int rowStride) {
        double[][] scratch = SCRATCH.get();   // once per call: a lookup per row cost as much as the row's polynomials
        for (int r = 0; r < rows; r++) {
            sinCos(a, r * cols, cols, sin, sinAt + r * rowStride, cos, cosAt + r * rowStride, scratch);
        }
    }

    /** {@link FloatSinCos#sinCos} on the given scratch rows. */
    private static void sinCos(float[] a, int aAt, int count, float[] sin, int sinAt, float[] cos, int cosAt,
                               double[][] scratch) {
        double[] x = scratch[0], sv = scratch[1], cv = scratch[2];
        for (int at = 0; at < count; at += BLOCK) {
            int len = Math.min(BLOCK, count - at);
            int padded = S.loopBound(len + S.length() - 1);   // a last, partly filled vector: zeros, results unused
            for (int i = 0; i < len; i++) {
                x[i] = a[aAt + at + i];
            }
            for (int i = len; i < padded; i++) {
                x[i] = 0;
            }
            for (int i = 0; i < padded; i += S.length()) {
                lanes(x, sv, cv, i);
            }
            for (int i = 0; i < len; i++) {
                float ai = a[aAt + at + i];
                sin[sinAt + at + i] = FloatSinCos.roundSin(ai, sv[i]);
                cos[cosAt + at + i] = FloatSinCos.roundCos(ai, cv[i]);
            }
        }
    }

    /**
     * The scalar loop's doubles for the vector of angles at {@code xs[i]}, written to {@code sv} and {@code cv} at
     * {@code i}. Takes arrays, not vectors: a vector argument is boxed on the heap where the call is not inlined.
     */
    private static void lanes(double[] xs, double[] sv, double[] cv, int i) {
        DoubleVector x = DoubleVector.fromArray(S, xs, i);
        DoubleVector n = x.mul(FloatSinCos.TWO_OVER_PI).add(FloatSinCos.ROUNDER).sub(FloatSinCos.ROUNDER);
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
        DoubleVector q = n.sub(n.sub(1.5).mul(0.25).add(FloatSinCos.ROUNDER).sub(FloatSinCos.ROUNDER).mul(4));
        DoubleVector hi = q.sub(0.5).mul(0.5).add(FloatSinCos.ROUNDER).sub(FloatSinCos.ROUNDER);
        DoubleVector odd = q.sub(hi.mul(2));
        DoubleVector cosNeg = odd.add(hi).sub(odd.mul(2).mul(hi));
        DoubleVector even = odd.neg().add(1);
        DoubleVector sinOut = hi.mul(2).neg().add(1).mul(even.mul(s).add(odd.mul(c)));
        DoubleVector cosOut = cosNeg.mul(2).neg().add(1).mul(even.mul(c).add(odd.mul(s)));
        V.cast(sinOut).intoArray(sv, i);
        V.cast(cosOut).intoArray(cv, i);
    }
}
