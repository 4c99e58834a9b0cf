package io.vrfm.backend.cpu;

import io.vrfm.backend.UnaryOp;

/** Forward and backward rules of every {@link UnaryOp}, over a range of a float array. */
final class UnaryMath {
    private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
    private static final float GELU_C = 0.044715f;
    private static final double INV_SQRT_2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    private UnaryMath() {
    }

    static void forward(UnaryOp op, float[] x, float[] y, int lo, int hi, float p0, float p1) {
        switch (op) {
            case NEG: for (int i = lo; i < hi; i++) y[i] = -x[i]; break;
            case EXP: for (int i = lo; i < hi; i++) y[i] = (float) Math.exp(x[i]); break;
            case LOG: for (int i = lo; i < hi; i++) y[i] = (float) Math.log(x[i]); break;
            case SQRT: for (int i = lo; i < hi; i++) y[i] = (float) Math.sqrt(x[i]); break;
            case ABS: for (int i = lo; i < hi; i++) y[i] = Math.abs(x[i]); break;
            case RELU: for (int i = lo; i < hi; i++) y[i] = x[i] > 0 ? x[i] : 0f; break;
            case GELU_TANH:
                for (int i = Sgemm.vectorized() ? UnaryVector.geluTanhForward(x, y, lo, hi) : lo; i < hi; i++) {
                    float v = x[i];
                    y[i] = 0.5f * v * (1f + geluTanhInner(SQRT_2_OVER_PI * (v + GELU_C * v * v * v)));
                }
                break;
            case GELU_ERF:
                for (int i = lo; i < hi; i++) y[i] = (float) (0.5 * x[i] * (1.0 + erf(x[i] * INV_SQRT_2)));
                break;
            case SILU:
                for (int i = Sgemm.vectorized() ? UnaryVector.siluForward(x, y, lo, hi) : lo; i < hi; i++) {
                    y[i] = x[i] * sigmoidf(x[i]);
                }
                break;
            case SIGMOID: for (int i = lo; i < hi; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i]))); break;
            case TANH: for (int i = lo; i < hi; i++) y[i] = (float) tanh(x[i]); break;
            case SIN: for (int i = lo; i < hi; i++) y[i] = (float) Math.sin(x[i]); break;
            case COS: for (int i = lo; i < hi; i++) y[i] = (float) Math.cos(x[i]); break;
            case POW: for (int i = lo; i < hi; i++) y[i] = (float) Math.pow(x[i], p0); break;
            case CLAMP: for (int i = lo; i < hi; i++) y[i] = Math.min(Math.max(x[i], p0), p1); break;
            case AFFINE: for (int i = lo; i < hi; i++) y[i] = p0 * x[i] + p1; break;
            case GREATER_THAN: for (int i = lo; i < hi; i++) y[i] = x[i] > p0 ? 1f : 0f; break;
            case SQUARE: for (int i = lo; i < hi; i++) y[i] = x[i] * x[i]; break;
            default: throw new IllegalStateException(op.name());
        }
    }

    static void backward(UnaryOp op, float[] x, float[] y, float[] gy, float[] gx, int lo, int hi, float p0, float p1) {
        switch (op) {
            case NEG: for (int i = lo; i < hi; i++) gx[i] = -gy[i]; break;
            case EXP: for (int i = lo; i < hi; i++) gx[i] = gy[i] * y[i]; break;
            case LOG: for (int i = lo; i < hi; i++) gx[i] = gy[i] / x[i]; break;
            case SQRT: for (int i = lo; i < hi; i++) gx[i] = gy[i] * 0.5f / y[i]; break;
            case ABS: for (int i = lo; i < hi; i++) gx[i] = gy[i] * Math.signum(x[i]); break;
            case RELU: for (int i = lo; i < hi; i++) gx[i] = x[i] > 0 ? gy[i] : 0f; break;
            case GELU_TANH:
                for (int i = Sgemm.vectorized() ? UnaryVector.geluTanhBackward(x, gy, gx, lo, hi) : lo; i < hi; i++) {
                    float v = x[i];
                    float u = SQRT_2_OVER_PI * (v + GELU_C * v * v * v);
                    float th = geluTanhInner(u);
                    float du = SQRT_2_OVER_PI * (1f + 3f * GELU_C * v * v);
                    gx[i] = gy[i] * (0.5f * (1f + th) + 0.5f * v * (1f - th * th) * du);
                }
                break;
            case GELU_ERF:
                for (int i = lo; i < hi; i++) {
                    double v = x[i];
                    double cdf = 0.5 * (1.0 + erf(v * INV_SQRT_2));
                    double pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
                    gx[i] = (float) (gy[i] * (cdf + v * pdf));
                }
                break;
            case SILU:
                for (int i = Sgemm.vectorized() ? UnaryVector.siluBackward(x, gy, gx, lo, hi) : lo; i < hi; i++) {
                    float v = x[i], sg = sigmoidf(v);
                    gx[i] = gy[i] * (sg * (1f + v * (1f - sg)));
                }
                break;
            case SIGMOID: for (int i = lo; i < hi; i++) gx[i] = gy[i] * y[i] * (1f - y[i]); break;
            case TANH: for (int i = lo; i < hi; i++) gx[i] = gy[i] * (1f - y[i] * y[i]); break;
            case SIN: for (int i = lo; i < hi; i++) gx[i] = gy[i] * (float) Math.cos(x[i]); break;
            case COS: for (int i = lo; i < hi; i++) gx[i] = -gy[i] * (float) Math.sin(x[i]); break;
            case POW: for (int i = lo; i < hi; i++) gx[i] = gy[i] * p0 * (float) Math.pow(x[i], p0 - 1f); break;
            case CLAMP: for (int i = lo; i < hi; i++) gx[i] = (x[i] >= p0 && x[i] <= p1) ? gy[i] : 0f; break;
            case AFFINE: for (int i = lo; i < hi; i++) gx[i] = gy[i] * p0; break;
            case GREATER_THAN: for (int i = lo; i < hi; i++) gx[i] = 0f; break;
            case SQUARE: for (int i = lo; i < hi; i++) gx[i] = 2f * gy[i] * x[i]; break;
            default: throw new IllegalStateException(op.name());
        }
    }

    /**
     * The largest of {@code a[lo..hi)} ({@code -∞} when empty): SIMD where the Vector API is present
     * ({@link UnaryVector#max}), the same value either way. A row's maximum in softmax and attention: the scalar
     * loop's chain of dependent compares took a third of a 256-wide softmax.
     */
    static float max(float[] a, int lo, int hi) {
        if (Sgemm.vectorized()) {
            return UnaryVector.max(a, lo, hi);
        }
        float m = Float.NEGATIVE_INFINITY;
        for (int i = lo; i < hi; i++) {
            m = Math.max(m, a[i]);
        }
        return m;
    }

    /**
     * Cephes' single-precision exp (range reduction by ln 2, degree-5 polynomial): relative error below 1e-7,
     * about twice as fast as {@code Math.exp} in a loop.
     */
    static float expf(float x) {
        if (x > 88.7f) {
            return Float.POSITIVE_INFINITY;
        }
        if (x < -87.3f) {
            return 0f;
        }
        // round-to-nearest by the 1.5·2^23 trick (Math.round is slow here); ni is the same integer
        float shifted = x * 1.44269504088896341f + 12582912f;
        int ni = Float.floatToRawIntBits(shifted) - 0x4B400000;
        float n = shifted - 12582912f;
        float r = x - n * 0.693359375f - n * -2.12194440e-4f;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        return (p * r * r + r + 1f) * Float.intBitsToFloat((ni + 127) << 23);
    }

    /**
     * The logistic sigmoid in float for SiLU, {@code 1/(1 + expf(−v))} with the exponent clamped to [−87.3, 88.7]
     * (the range of {@link #expf}; NaN stays NaN): relative error about 2e-7. {@link UnaryVector} computes it with the
     * same float operations in the same order, so the scalar tail and the SIMD body agree bit for bit.
     */
    static float sigmoidf(float v) {
        return 1f / (1f + expf(Math.min(Math.max(-v, -87.3f), 88.7f)));
    }

    /**
     * tanh for the tanh-GELU, {@code 1 − 2/(exp(2u) + 1)} in float: absolute error about 1e-7, which is all
     * {@code 0.5·x·(1 + tanh u)} needs (the relative accuracy of {@link #tanh} near 0 is not needed here).
     */
    static float geluTanhInner(float u) {
        return 1f - 2f / (expf(2f * u) + 1f);
    }

    /**
     * tanh through one {@code Math.exp} (an intrinsic), {@code (e − 1)/(e + 1)} with {@code e = exp(2u)} in double:
     * relative error far below float resolution, and several times cheaper than {@code Math.tanh}, which JDK 17
     * does not intrinsify (tanh-GELU was a fifth of a V-RFM training step).
     */
    static double tanh(double u) {
        if (u > 20) {
            return 1.0;
        }
        if (u < -20) {
            return -1.0;
        }
        double e = Math.exp(2.0 * u);
        return (e - 1.0) / (e + 1.0);
    }

    /**
     * The error function, Abramowitz &amp; Stegun 7.1.26 (absolute error below 1.5e-7, i.e. float32 resolution):
     * one exp and a degree-5 polynomial, about 20x cheaper than a series or continued fraction. The CUDA kernels
     * use {@code erff}; parity tolerances cover the difference.
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * ax);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double r = 1.0 - poly * Math.exp(-ax * ax);
        return x < 0 ? -r : r;
    }
}
