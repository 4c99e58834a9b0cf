package io.vrfm.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PartialSums} lane-wise: its 16 chains as double vectors of the preferred species, each float vector widened
 * to double in two halves, the same double operations in the same order, the same fold and tail; so bit for bit the
 * scalar code on every instruction set. With 256-bit vectors (AVX2) a chunk of 16 floats is two float vectors and
 * four double vectors (chains 0–3, 4–7, 8–11, 12–15), folded {@code (v0 + v2) + (v1 + v3)}; with 512-bit vectors it is
 * one float vector and two double vectors (chains 0–7, 8–15), folded {@code u0 + u1} and then lane {@code l} with
 * lane {@code l + 4}: both are {@link PartialSums#fold}. Only the preferred species (a second species in the process
 * slows the GEMM kernels: {@code ArchitectureTest}). Only loaded when {@link Sgemm#vectorized()} says the Vector API
 * is in use with 256-bit vectors or wider. Each method is written out whole: no helper takes or returns a vector (a
 * vector crossing a call that is not inlined is boxed on the heap).
 */
final class PartialSumsVector {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorOperators.Conversion<Float, Double> F2D = VectorOperators.F2D;
    /** 512-bit vectors: one float vector per chunk of {@link PartialSums#CHAINS}; otherwise (256-bit) two. */
    private static final boolean WIDE = F.length() == PartialSums.CHAINS;
    private static final int STEP = PartialSums.CHAINS;

    private PartialSumsVector() {
    }

    static double sum(float[] a, int off, int len) {
        return WIDE ? sum16(a, off, len) : sum8(a, off, len);
    }

    static double sumSquaredDeviations(float[] a, int off, int len, double mu) {
        return WIDE ? squares16(a, off, len, mu) : squares8(a, off, len, mu);
    }

    static double sumProductCentred(float[] w, float[] x, int off, int len, double mu) {
        return WIDE ? products16(w, x, off, len, mu) : products8(w, x, off, len, mu);
    }

    /** {@link PartialSums#sumProduct}: {@code x − 0.0} is {@code x} exactly, so the centred product with μ = 0. */
    static double sumProduct(float[] w, float[] x, int off, int len) {
        return WIDE ? products16(w, x, off, len, 0.0) : products8(w, x, off, len, 0.0);
    }

    private static double sum8(float[] a, int off, int len) {
        DoubleVector v0 = DoubleVector.zero(D), v1 = v0, v2 = v0, v3 = v0;
        int q = off, end = off + len;
        for (; q + STEP <= end; q += STEP) {
            FloatVector f0 = FloatVector.fromArray(F, a, q), f1 = FloatVector.fromArray(F, a, q + 8);
            v0 = v0.add(f0.convertShape(F2D, D, 0));
            v1 = v1.add(f0.convertShape(F2D, D, 1));
            v2 = v2.add(f1.convertShape(F2D, D, 0));
            v3 = v3.add(f1.convertShape(F2D, D, 1));
        }
        DoubleVector l = v0.add(v2).add(v1.add(v3));
        double r = (l.lane(0) + l.lane(1)) + (l.lane(2) + l.lane(3));
        for (; q < end; q++) r += a[q];
        return r;
    }

    private static double sum16(float[] a, int off, int len) {
        DoubleVector u0 = DoubleVector.zero(D), u1 = u0;
        int q = off, end = off + len;
        for (; q + STEP <= end; q += STEP) {
            FloatVector f = FloatVector.fromArray(F, a, q);
            u0 = u0.add(f.convertShape(F2D, D, 0));
            u1 = u1.add(f.convertShape(F2D, D, 1));
        }
        DoubleVector w = u0.add(u1);
        double r = ((w.lane(0) + w.lane(4)) + (w.lane(1) + w.lane(5)))
                + ((w.lane(2) + w.lane(6)) + (w.lane(3) + w.lane(7)));
        for (; q < end; q++) r += a[q];
        return r;
    }

    private static double squares8(float[] a, int off, int len, double mu) {
        DoubleVector v0 = DoubleVector.zero(D), v1 = v0, v2 = v0, v3 = v0;
        int q = off, end = off + len;
        for (; q + STEP <= end; q += STEP) {
            FloatVector f0 = FloatVector.fromArray(F, a, q), f1 = FloatVector.fromArray(F, a, q + 8);
            DoubleVector t0 = ((DoubleVector) f0.convertShape(F2D, D, 0)).sub(mu);
            DoubleVector t1 = ((DoubleVector) f0.convertShape(F2D, D, 1)).sub(mu);
            DoubleVector t2 = ((DoubleVector) f1.convertShape(F2D, D, 0)).sub(mu);
            DoubleVector t3 = ((DoubleVector) f1.convertShape(F2D, D, 1)).sub(mu);
            v0 = v0.add(t0.mul(t0));
            v1 = v1.add(t1.mul(t1));
            v2 = v2.add(t2.mul(t2));
            v3 = v3.add(t3.mul(t3));
        }
        DoubleVector l = v0.add(v2).add(v1.add(v3));
        double r = (l.lane(0) + l.lane(1)) + (l.lane(2) + l.lane(3));
        for (; q < end; q++) {
            double t = a[q] - mu;
            r += t * t;
        }
        return r;
    }

    private static double squares16(float[] a, int off, int len, double mu) {
        DoubleVector u0 = DoubleVector.zero(D), u1 = u0;
        int q = off, end = off + len;
        for (; q + STEP <= end; q += STEP) {
            FloatVector f = FloatVector.fromArray(F, a, q);
            DoubleVector t0 = ((DoubleVector) f.convertShape(F2D, D, 0)).sub(mu);
            DoubleVector t1 = ((DoubleVector) f.convertShape(F2D, D, 1)).sub(mu);
            u0 = u0.add(t0.mul(t0));
            u1 = u1.add(t1.mul(t1));
        }
        DoubleVector w = u0.add(u1);
        double r = ((w.lane(0) + w.lane(4)) + (w.lane(1) + w.lane(5)))
                + ((w.lane(2) + w.lane(6)) + (w.lane(3) + w.lane(7)));
        for (; q < end; q++) {
            double t = a[q] - mu;
            r += t * t;
        }
        return r;
    }

    private static double products8(float[] w, float[] x, int off, int len, double mu) {
        DoubleVector v0 = DoubleVector.zero(D), v1 = v0, v2 = v0, v3 = v0;
        int q = off, end = off + len;
        for (; q + STEP <= end; q += STEP) {
            FloatVector w0 = FloatVector.fromArray(F, w, q), w1 = FloatVector.fromArray(F, w, q + 8);
            FloatVector x0 = FloatVector.fromArray(F, x, q), x1 = FloatVector.fromArray(F, x, q + 8);
            v0 = v0.add(w0.convertShape(F2D, D, 0).mul(((DoubleVector) x0.convertShape(F2D, D, 0)).sub(mu)));
            v1 = v1.add(w0.convertShape(F2D, D, 1).mul(((DoubleVector) x0.convertShape(F2D, D, 1)).sub(mu)));
            v2 = v2.add(w1.convertShape(F2D, D, 0).mul(((DoubleVector) x1.convertShape(F2D, D, 0)).sub(mu)));
            v3 = v3.add(w1.convertShape(F2D, D, 1).mul(((DoubleVector) x1.convertShape(F2D, D, 1)).sub(mu)));
        }
        DoubleVector l = v0.add(v2).add(v1.add(v3));
        double r = (l.lane(0) + l.lane(1)) + (l.lane(2) + l.lane(3));
        for (; q < end; q++) r += w[q] * (x[q] - mu);
        return r;
    }

    private static double products16(float[] w, float[] x, int off, int len, double mu) {
        DoubleVector u0 = DoubleVector.zero(D), u1 = u0;
        int q = off, end = off + len;
        for (; q + STEP <= end; q += STEP) {
            FloatVector wf = FloatVector.fromArray(F, w, q), xf = FloatVector.fromArray(F, x, q);
            u0 = u0.add(wf.convertShape(F2D, D, 0).mul(((DoubleVector) xf.convertShape(F2D, D, 0)).sub(mu)));
            u1 = u1.add(wf.convertShape(F2D, D, 1).mul(((DoubleVector) xf.convertShape(F2D, D, 1)).sub(mu)));
        }
        DoubleVector s = u0.add(u1);
        double r = ((s.lane(0) + s.lane(4)) + (s.lane(1) + s.lane(5)))
                + ((s.lane(2) + s.lane(6)) + (s.lane(3) + s.lane(7)));
        for (; q < end; q++) r += w[q] * (x[q] - mu);
        return r;
    }
}
