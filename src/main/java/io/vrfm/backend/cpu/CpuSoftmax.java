package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;

import static io.vrfm.backend.cpu.CpuBackend.GRAIN;
import static io.vrfm.backend.cpu.CpuBuffer.d;

/**
 * CPU twin of {@code kernels/softmax.cu}. Row-wise softmax and log-softmax, forward and backward. One static method
 * per {@link io.vrfm.backend.Backend} primitive, named alike; {@link CpuBackend} delegates here.
 */
final class CpuSoftmax {
    private CpuSoftmax() {
    }

    static void softmax(Buffer x, Buffer y, int rows, int cols, boolean log, CpuParallel par) {
        float[] xs = d(x), ys = d(y);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * cols;
                float m = UnaryMath.max(xs, base, base + cols);
                if (log) {   // log-softmax (cross-entropy, the FID classifier): exp and log in double, as before
                    double sum = 0;
                    for (int q = 0; q < cols; q++) sum += Math.exp(xs[base + q] - m);
                    float lse = (float) (m + Math.log(sum));
                    for (int q = 0; q < cols; q++) ys[base + q] = xs[base + q] - lse;
                } else {
                    // softmax (attention): one float exp per element, SIMD where the Vector API is present (the
                    // same expf as the fused attention), stored and then scaled; the sum in double
                    System.arraycopy(xs, base, ys, base, cols);
                    int q = Sgemm.vectorized() ? UnaryVector.expShifted(ys, base, base + cols, m) : base;
                    for (; q < base + cols; q++) ys[q] = UnaryMath.expf(ys[q] - m);
                    float inv = (float) (1.0 / PartialSums.sum(ys, base, cols));
                    for (q = base; q < base + cols; q++) ys[q] *= inv;
                }
            }
        });
    }

    static void softmaxBackward(Buffer y, Buffer gy, Buffer gx, int rows, int cols, boolean log, CpuParallel par) {
        float[] ys = d(y), gys = d(gy), gxs = d(gx);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * cols;
                double s = 0;
                if (log) {
                    for (int q = 0; q < cols; q++) s += gys[base + q];
                    for (int q = 0; q < cols; q++) {
                        gxs[base + q] = (float) (gys[base + q] - Math.exp(ys[base + q]) * s);
                    }
                } else {
                    float sf = (float) PartialSums.sumProduct(gys, ys, base, cols);
                    for (int q = base; q < base + cols; q++) gxs[q] = ys[q] * (gys[q] - sf);
                }
            }
        });
    }
}
