package io.vrfm.backend.cpu;

import io.vrfm.backend.UnaryOp;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class UnaryMathTest {
    @Test
    void tanhMatchesTheLibraryToFloatResolution() {
        for (double u = -25; u <= 25; u += 0.001) {
            double ref = Math.tanh(u);
            assertEquals(ref, UnaryMath.tanh(u), 1e-7 * Math.max(Math.abs(ref), 1e-3), "tanh(" + u + ")");
        }
        assertEquals(1e-9, UnaryMath.tanh(1e-9), 1e-15);
    }

    @Test
    void fastExpAndGeluTanhAreAccurate() {
        for (float x = -87f; x <= 88f; x += 0.0137f) {
            double ref = Math.exp(x);
            assertEquals(ref, UnaryMath.expf(x), 2e-7 * ref, "expf(" + x + ")");
        }
        for (float u = -30f; u <= 30f; u += 0.001f) {
            assertEquals(Math.tanh(u), UnaryMath.geluTanhInner(u), 2e-7, "tanh(" + u + ")");
        }
    }

    /**
     * The row maximum (softmax, attention, max-reduce) equals the scalar loop's bits for every length and offset
     * around the vector width, wherever the largest element sits (body or tail), with signed zeros, infinities and
     * NaN; -∞ for an empty row.
     */
    @Test
    void rowMaximumIsTheScalarLoopsBitForBit() {
        java.util.Random r = new java.util.Random(9);
        float[][] specials = {{}, {-0f, 0f}, {0f, -0f}, {Float.NEGATIVE_INFINITY}, {Float.POSITIVE_INFINITY},
            {Float.NaN}, {-0f}};
        for (int len = 0; len <= 70; len++) {
            for (int off = 0; off < 3; off++) {
                for (float[] special : specials) {
                    for (int at = 0; at < Math.max(1, len); at += Math.max(1, len / 5)) {
                        float[] a = new float[off + len + 2];
                        for (int i = 0; i < a.length; i++) {
                            a[i] = (float) (r.nextGaussian() * 3 - 20);   // all negative: a zero must win
                        }
                        a[off + len] = 1e30f;   // just past the row: must not be read
                        if (off > 0) {
                            a[off - 1] = 1e30f;
                        }
                        for (int k = 0; k < special.length && at + k < len; k++) {
                            a[off + at + k] = special[k];
                        }
                        float want = Float.NEGATIVE_INFINITY;
                        for (int i = off; i < off + len; i++) {
                            want = Math.max(want, a[i]);
                        }
                        float got = UnaryMath.max(a, off, off + len);
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                                "length " + len + ", offset " + off + ": " + want + " vs " + got);
                    }
                }
            }
        }
    }

    /**
     * In place (output = input, or gradient out = gradient in) gives the same bits as into a fresh array, SIMD body
     * and scalar tail alike (a kernel that used its output as scratch before reading its inputs would fail here).
     */
    @Test
    void vectorRulesWorkInPlace() {
        int n = 1003;
        java.util.Random r = new java.util.Random(5);
        float[] x = new float[n], gy = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 4);
            gy[i] = (float) r.nextGaussian();
        }
        for (io.vrfm.backend.UnaryOp op : new io.vrfm.backend.UnaryOp[]{io.vrfm.backend.UnaryOp.SILU,
                io.vrfm.backend.UnaryOp.GELU_TANH}) {
            float[] y = new float[n], gx = new float[n];
            UnaryMath.forward(op, x, y, 0, n, 0, 0);
            UnaryMath.backward(op, x, y, gy, gx, 0, n, 0, 0);
            float[] inPlace = x.clone();
            UnaryMath.forward(op, inPlace, inPlace, 0, n, 0, 0);
            assertArrayEquals(y, inPlace, op + " forward in place");
            float[] gInPlace = gy.clone();
            UnaryMath.backward(op, x, y, gInPlace, gInPlace, 0, n, 0, 0);
            assertArrayEquals(gx, gInPlace, op + " backward in place");
        }
    }

    /** The SIMD tanh-GELU gives bit-identical results to the scalar loop (same float operations, same order). */
    @Test
    void vectorGeluMatchesScalarExactly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Sgemm.vectorized(), "Vector API module not present");
        int n = 1000;
        float[] x = new float[n], gy = new float[n];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 4);
            gy[i] = (float) r.nextGaussian();
        }
        x[0] = 60f;
        x[1] = -60f;
        x[2] = 0f;
        float[] yv = new float[n], ys = new float[n], gv = new float[n], gs = new float[n];
        UnaryMath.forward(io.vrfm.backend.UnaryOp.GELU_TANH, x, yv, 0, n, 0, 0);
        UnaryMath.backward(io.vrfm.backend.UnaryOp.GELU_TANH, x, yv, gy, gv, 0, n, 0, 0);
        for (int i = 0; i < n; i++) {
            float v = x[i];
            ys[i] = 0.5f * v * (1f + UnaryMath.geluTanhInner(0.7978845608028654f * (v + 0.044715f * v * v * v)));
            float th = UnaryMath.geluTanhInner(0.7978845608028654f * (v + 0.044715f * v * v * v));
            float du = 0.7978845608028654f * (1f + 3f * 0.044715f * v * v);
            gs[i] = gy[i] * (0.5f * (1f + th) + 0.5f * v * (1f - th * th) * du);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(ys, yv);
        org.junit.jupiter.api.Assertions.assertArrayEquals(gs, gv);
    }

    /**
     * SiLU and its rule in float (sigmoid through the clamped expf) stay within a few float ulps of the double
     * formulas, the SIMD body matches the scalar tail bit for bit (n = 1003 leaves a tail on every species), and NaN
     * propagates (a non-finite activation must reach the loss check).
     */
    @Test
    void siluIsAccurateAndItsVectorPathMatchesTheScalarOne() {
        int n = 1003;
        float[] x = new float[n], gy = new float[n];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 6);
            gy[i] = (float) r.nextGaussian();
        }
        x[0] = 120f;
        x[1] = -120f;
        x[2] = 0f;
        x[3] = Float.NaN;
        x[4] = 88f;
        x[5] = -88f;
        float[] y = new float[n], gx = new float[n];
        UnaryMath.forward(io.vrfm.backend.UnaryOp.SILU, x, y, 0, n, 0, 0);
        UnaryMath.backward(io.vrfm.backend.UnaryOp.SILU, x, y, gy, gx, 0, n, 0, 0);
        for (int i = 0; i < n; i++) {
            float v = x[i], sg = UnaryMath.sigmoidf(v);
            // scalar twin, the same float operations as the loop's tail
            assertEquals(Float.floatToIntBits(v * sg), Float.floatToIntBits(y[i]), "silu(" + v + ")");
            assertEquals(Float.floatToIntBits(gy[i] * (sg * (1f + v * (1f - sg)))), Float.floatToIntBits(gx[i]),
                    "silu'(" + v + ")");
            if (Float.isNaN(v)) {
                continue;
            }
            double s = 1.0 / (1.0 + Math.exp(-(double) v));
            double yRef = v * s, gRef = gy[i] * s * (1.0 + v * (1.0 - s));
            assertEquals(yRef, y[i], 1e-6 * Math.abs(yRef) + 1e-30, "silu(" + v + ")");
            assertEquals(gRef, gx[i], 1e-6 * Math.abs(gy[i]) * (1 + Math.abs(v)), "silu'(" + v + ")");
        }
        org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(y[3]) && Float.isNaN(gx[3]), "NaN must propagate");
    }

    @Test
    void erfIsAccurateToFloatResolution() {
        double[][] known = {{0, 0}, {0.1, 0.1124629160}, {0.5, 0.5204998778}, {1, 0.8427007929},
                {1.5, 0.9661051465}, {2, 0.9953222650}, {3, 0.9999779095}, {-1, -0.8427007929}, {-0.25, -0.2763263902}};
        for (double[] k : known) {
            assertEquals(k[1], UnaryMath.erf(k[0]), 2e-7, "erf(" + k[0] + ")");
        }
    }

    /**
     * A batch-1000 × 16 GELU (16,000 elements, half of the element-wise grain) ran on the calling thread alone; the
     * rules with an exponential now split from an eighth of the grain, the cheap ones still do not. Same bits.
     */
    @Test
    void transcendentalUnaryPassesSplitAtASmallerGrainWithTheSameBits() {
        int n = 16_000;
        float[] x = new float[n], gy = new float[n];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (3 * r.nextGaussian());
            gy[i] = (float) r.nextGaussian();
        }
        float[][] results = new float[2][];
        for (int threads : new int[] {1, 2}) {
            try (CpuBackend be = new CpuBackend(threads)) {
                CpuBuffer y = new CpuBuffer(be, new float[n]), gx = new CpuBuffer(be, new float[n]);
                long r0 = be.parallelRegions();
                be.unary(UnaryOp.GELU_TANH, new CpuBuffer(be, x), y, n, 0f, 0f);
                be.unaryBackward(UnaryOp.GELU_TANH, new CpuBuffer(be, x), y, new CpuBuffer(be, gy), gx, n, 0f, 0f);
                long r1 = be.parallelRegions();
                be.unary(UnaryOp.NEG, new CpuBuffer(be, x), new CpuBuffer(be, new float[n]), n, 0f, 0f);
                assertEquals(threads == 2 ? 2 : 0, r1 - r0, "GELU forward and backward split on " + threads + " threads");
                assertEquals(0, be.parallelRegions() - r1, "a negation of 16,000 elements stays on the caller");
                float[] both = new float[2 * n];
                System.arraycopy(y.data, 0, both, 0, n);
                System.arraycopy(gx.data, 0, both, n, n);
                results[threads - 1] = both;
            }
        }
        assertArrayEquals(results[0], results[1], 0f);
    }
}
