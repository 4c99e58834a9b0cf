package io.vrfm.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD versions of the hottest unary rules (tanh-GELU and SiLU, forward and backward), with the same float operations in the
 * same order as the scalar code in {@link UnaryMath}, so results do not depend on which path ran. Only loaded when
 * {@link Sgemm#vectorized()} says the Vector API module is present.
 */
final class UnaryVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float K = 0.7978845608028654f;   // sqrt(2/pi), as UnaryMath.SQRT_2_OVER_PI
    private static final float C = 0.044715f;             // as UnaryMath.GELU_C

    private UnaryVector() {
    }

    /** Returns the first index it did not process (the caller finishes the tail in scalar code). */
    static int geluTanhForward(float[] x, float[] y, int lo, int hi) {
        return geluTanh(x, null, y, lo, hi);
    }

    /** Returns the first index it did not process (the caller finishes the tail in scalar code). */
    static int geluTanhBackward(float[] x, float[] gy, float[] gx, int lo, int hi) {
        return geluTanh(x, gy, gx, lo, hi);
    }

    /**
     * tanh-GELU forward ({@code gy} null: {@code out = v/2·(1 + tanh u)}, {@code u = K·(v + C·v³)}) or backward
     * ({@code out = gy·((1 + tanh u)/2 + v/2·(1 − tanh² u)·K·(1 + 3C·v²))}), {@code tanh u = 1 − 2/(expf(2u) + 1)} as
     * {@link UnaryMath#geluTanhInner}, with {@link UnaryMath#expf}'s operations written out in the loop, as in
     * {@link #silu} and for the same reason: no helper here takes or returns a vector. A helper that does is boxed
     * wherever C2 does not inline it, and C2 refuses to inline a callee it has already compiled on its own into a
     * large method, which happens or not depending on the order in which methods got hot: with the lane-wise tanh
     * in such a helper, a 2-D V-RFM step started in one way allocated 300 MB per step instead of 0.2 MB and ran at
     * half speed (C2's log: {@code tanhInner ... already compiled into a big method}).
     */
    private static int geluTanh(float[] x, float[] gy, float[] out, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector u = v.add(v.mul(C).mul(v).mul(v)).mul(K);
            // expf(2u), clamped to expf's finite range
            FloatVector e = u.mul(2f).max(-87.3f).min(88.7f);
            FloatVector shifted = e.mul(1.44269504088896341f).add(12582912f);
            IntVector ni = shifted.reinterpretAsInts().sub(0x4B400000);
            FloatVector n = shifted.sub(12582912f);
            FloatVector r = e.sub(n.mul(0.693359375f)).sub(n.mul(-2.12194440e-4f));
            FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
            p = p.mul(r).add(8.3334519073e-3f);
            p = p.mul(r).add(4.1665795894e-2f);
            p = p.mul(r).add(1.6666665459e-1f);
            p = p.mul(r).add(5.0000001201e-1f);
            FloatVector pow2 = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector exp = p.mul(r).mul(r).add(r).add(1f).mul(pow2);
            FloatVector th = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp.add(1f)));
            if (gy == null) {
                SgemmKernels.V.cast(v.mul(0.5f).mul(th.add(1f))).intoArray(out, i);
            } else {
                FloatVector du = v.mul(3f * C).mul(v).add(1f).mul(K);
                FloatVector d = th.add(1f).mul(0.5f).add(v.mul(0.5f).mul(th.mul(th).neg().add(1f)).mul(du));
                SgemmKernels.V.cast(FloatVector.fromArray(S, gy, i).mul(d)).intoArray(out, i);
            }
        }
        return i;
    }

    /** SiLU {@code v·σ(v)}; returns the first index it did not process (the caller finishes the tail in scalar code). */
    static int siluForward(float[] x, float[] y, int lo, int hi) {
        return silu(x, null, y, lo, hi);
    }

    /** SiLU's rule {@code gy·σ(v)·(1 + v·(1 − σ(v)))}; returns the first index it did not process. */
    static int siluBackward(float[] x, float[] gy, float[] gx, int lo, int hi) {
        return silu(x, gy, gx, lo, hi);
    }

    /**
     * SiLU forward ({@code gy} null: {@code out = v·σ(v)}) or backward ({@code out = gy·σ(v)·(1 + v·(1 − σ(v)))}),
     * {@code σ(v) = 1/(1 + expf(−v))} as {@link UnaryMath#sigmoidf}, with {@link #expf}'s operations written out in
     * the loop. On purpose (see also {@link #geluTanh}): this method's bytecode is over C2's limit for inlining a hot callee (FreqInlineSize,
     * 325 bytes), so it is always compiled on its own, with every vector operation intrinsified. Inlined into a
     * larger caller ({@link UnaryMath#backward}, a switch over every rule), C2 ran out of its inlining budget
     * part-way and left Vector API calls as real calls, which box every vector: in 2 of 3 JVMs (JMH -prof gc,
     * MNIST ResNet V-RFM step) the step allocated 400 MB instead of 20 MB, all of it in SiLU's backward
     * (JFR: {@code FloatVector.neg}), which then took 14 % of the step's samples.
     */
    private static int silu(float[] x, float[] gy, float[] out, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            // expf(−v), clamped to expf's finite range
            FloatVector e = v.neg().max(-87.3f).min(88.7f);
            FloatVector shifted = e.mul(1.44269504088896341f).add(12582912f);
            IntVector ni = shifted.reinterpretAsInts().sub(0x4B400000);
            FloatVector n = shifted.sub(12582912f);
            FloatVector r = e.sub(n.mul(0.693359375f)).sub(n.mul(-2.12194440e-4f));
            FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
            p = p.mul(r).add(8.3334519073e-3f);
            p = p.mul(r).add(4.1665795894e-2f);
            p = p.mul(r).add(1.6666665459e-1f);
            p = p.mul(r).add(5.0000001201e-1f);
            FloatVector pow2 = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector sg = FloatVector.broadcast(S, 1f).div(p.mul(r).mul(r).add(r).add(1f).mul(pow2).add(1f));
            if (gy == null) {
                SgemmKernels.V.cast(v.mul(sg)).intoArray(out, i);
            } else {
                FloatVector d = sg.mul(v.mul(sg.neg().add(1f)).add(1f));
                SgemmKernels.V.cast(FloatVector.fromArray(S, gy, i).mul(d)).intoArray(out, i);
            }
        }
        return i;
    }

    /**
     * {@code a[i] = expf(a[i] − shift)} lane-wise (the attention softmax); returns the first index it did not
     * process (the caller finishes the tail with {@link UnaryMath#expf}).
     */
    /**
     * {@code max(a[lo..hi))} ({@code -∞} when empty), lane-wise then across the lanes: the scalar loop's result bit
     * for bit (a maximum does not depend on the order; a NaN wins either way, and {@code +0} over {@code -0}).
     */
    static float max(float[] a, int lo, int hi) {
        int i = lo;
        float m = Float.NEGATIVE_INFINITY;
        int upper = lo + S.loopBound(hi - lo);
        if (upper > lo) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            for (i += S.length(); i < upper; i += S.length()) {
                v = v.max(FloatVector.fromArray(S, a, i));
            }
            m = v.reduceLanes(VectorOperators.MAX);
        }
        for (; i < hi; i++) {
            m = Math.max(m, a[i]);
        }
        return m;
    }

    static int expShifted(float[] a, int lo, int hi, float shift) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += S.length()) {
            // expf(a − shift), clamped to expf's finite range, written out as in geluTanh (no vector helpers)
            FloatVector e = FloatVector.fromArray(S, a, i).sub(shift).max(-87.3f).min(88.7f);
            FloatVector shifted = e.mul(1.44269504088896341f).add(12582912f);
            IntVector ni = shifted.reinterpretAsInts().sub(0x4B400000);
            FloatVector n = shifted.sub(12582912f);
            FloatVector r = e.sub(n.mul(0.693359375f)).sub(n.mul(-2.12194440e-4f));
            FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
            p = p.mul(r).add(8.3334519073e-3f);
            p = p.mul(r).add(4.1665795894e-2f);
            p = p.mul(r).add(1.6666665459e-1f);
            p = p.mul(r).add(5.0000001201e-1f);
            FloatVector pow2 = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            SgemmKernels.V.cast(p.mul(r).mul(r).add(r).add(1f).mul(pow2)).intoArray(a, i);
        }
        return i;
    }
}
