package io.vrfm.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CPU softmax (float exp, SIMD body) against a double-precision reference: values, row sums, masked (−∞) entries
 * and the backward rule, on rows whose lengths leave a scalar tail on every vector species.
 */
class CpuSoftmaxTest {
    @Test
    void softmaxAndItsRuleMatchADoubleReference() {
        int rows = 7, cols = 259;
        float[] x = new float[rows * cols], gy = new float[rows * cols];
        Random r = new Random(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 8);
            gy[i] = (float) r.nextGaussian();
        }
        for (int q = 0; q < cols; q += 3) {
            x[2 * cols + q] = Float.NEGATIVE_INFINITY;   // a masked row, as attention masks give
        }
        try (CpuBackend be = new CpuBackend(2)) {
            CpuBuffer xb = new CpuBuffer(be, x), yb = new CpuBuffer(be, new float[x.length]);
            CpuBuffer gyb = new CpuBuffer(be, gy), gxb = new CpuBuffer(be, new float[x.length]);
            be.softmax(xb, yb, rows, cols, false);
            be.softmaxBackward(yb, gyb, gxb, rows, cols, false);
            float[] y = CpuBuffer.d(yb), gx = CpuBuffer.d(gxb);
            for (int row = 0; row < rows; row++) {
                int b = row * cols;
                // the shift x − max in float, as any float softmax computes it (its rounding, up to 2e-6 relative
                // in exp, is the input's, not the method's); everything after it in double
                float m = Float.NEGATIVE_INFINITY;
                double sum = 0, rowSum = 0, dot = 0;
                for (int q = 0; q < cols; q++) m = Math.max(m, x[b + q]);
                for (int q = 0; q < cols; q++) sum += Math.exp(x[b + q] - m);
                for (int q = 0; q < cols; q++) {
                    double ref = Math.exp(x[b + q] - m) / sum;
                    assertEquals(ref, y[b + q], 1e-6 * ref + 1e-30, "y[" + row + "," + q + "]");
                    rowSum += y[b + q];
                    dot += ref * gy[b + q];
                }
                assertEquals(1.0, rowSum, 1e-5, "row " + row + " sums to 1");
                for (int q = 0; q < cols; q++) {
                    double ref = Math.exp(x[b + q] - m) / sum * (gy[b + q] - dot);
                    assertEquals(ref, gx[b + q], 1e-5 * Math.exp(x[b + q] - m) / sum * (Math.abs(gy[b + q]) + Math.abs(dot))
                            + 1e-30, "gx[" + row + "," + q + "]");
                }
            }
        }
    }
}
