package io.vrfm.backend.cpu;

import io.vrfm.backend.ReduceOp;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The across-rows reduction ({@code [outer, n, inner] → [outer, inner]}, the bias gradient of every Linear layer):
 * each column summed in double in row order, bit for bit, whatever the column blocking, the SIMD path and the thread
 * count; and a batch-1000 bias gradient runs on every thread.
 */
class CpuReduceTest {
    @Test
    void columnSumsAndMaximaAreExactPerColumnWhateverTheShapeAndThreads() {
        Random r = new Random(5);
        for (int outer : new int[] {1, 3}) {
            for (int n : new int[] {1, 7, 1000}) {
                for (int inner : new int[] {2, 3, 4, 5, 15, 16, 17, 33, 64, 128, 130}) {
                    float[] x = new float[outer * n * inner];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) (r.nextGaussian() * Math.exp(4 * r.nextGaussian()));   // wide magnitudes
                    }
                    float[] sum = new float[outer * inner], max = new float[outer * inner];
                    for (int o = 0; o < outer; o++) {
                        for (int k = 0; k < inner; k++) {
                            double s = 0, m = Double.NEGATIVE_INFINITY;
                            for (int j = 0; j < n; j++) {
                                s += x[(o * n + j) * inner + k];
                                m = Math.max(m, x[(o * n + j) * inner + k]);
                            }
                            sum[o * inner + k] = (float) s;
                            max[o * inner + k] = (float) m;
                        }
                    }
                    for (int threads : new int[] {1, 2}) {
                        String where = outer + "x" + n + "x" + inner + " on " + threads + " threads";
                        assertArrayEquals(sum, reduce(ReduceOp.SUM, x, outer, n, inner, threads), where);
                        assertArrayEquals(max, reduce(ReduceOp.MAX, x, outer, n, inner, threads), where);
                    }
                }
            }
        }
    }

    /** Before, one task held all 128 columns of a bias gradient, so the second thread sat idle. */
    @Test
    void aBatch1000BiasGradientRunsAsOneParallelRegion() {
        float[] x = new float[1000 * 128];
        try (CpuBackend be = new CpuBackend(2)) {
            long before = be.parallelRegions();
            be.reduce(ReduceOp.SUM, new CpuBuffer(be, x), 1, 1000, 128, new CpuBuffer(be, new float[128]));
            assertEquals(1, be.parallelRegions() - before);
        }
    }

    private static float[] reduce(ReduceOp op, float[] x, int outer, int n, int inner, int threads) {
        try (CpuBackend be = new CpuBackend(threads)) {
            CpuBuffer out = new CpuBuffer(be, new float[outer * inner]);
            be.reduce(op, new CpuBuffer(be, x), outer, n, inner, out);
            return CpuBuffer.d(out).clone();
        }
    }
}
