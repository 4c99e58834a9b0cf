package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.ReduceOp;

import static io.vrfm.backend.cpu.CpuBackend.GRAIN;
import static io.vrfm.backend.cpu.CpuBuffer.d;

/**
 * CPU twin of {@code kernels/reduce.cu}. Sum and max over the middle axis of {@code [outer, n, inner]}, accumulated
 * in double. One static method per {@link io.vrfm.backend.Backend} primitive, named alike; {@link CpuBackend}
 * delegates here.
 */
final class CpuReduce {
    private CpuReduce() {
    }

    static void reduce(ReduceOp op, Buffer x, int outer, int n, int inner, Buffer out, CpuParallel par) {
        float[] xs = d(x), os = d(out);
        boolean max = op == ReduceOp.MAX;
        if (inner == 1) {
            par.forRange(outer, Math.max(1, GRAIN / Math.max(1, n)), (lo, hi) -> {
                for (int o = lo; o < hi; o++) {
                    int base = o * n;
                    if (max) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int j = 0; j < n; j++) m = Math.max(m, xs[base + j]);
                        os[o] = m;
                    } else {
                        double s = 0;
                        for (int j = 0; j < n; j++) s += xs[base + j];
                        os[o] = (float) s;
                    }
                }
            });
            return;
        }
        // Reduce across rows: parallel over (outer, inner-chunk) so both tall and wide shapes use every core.
        int chunk = Math.max(64, Math.min(inner, 1024));
        int chunksPerOuter = (inner + chunk - 1) / chunk;
        par.forRange(outer * chunksPerOuter, Math.max(1, GRAIN / Math.max(1, n * chunk)), (lo, hi) -> {
            double[] acc = new double[chunk];
            for (int task = lo; task < hi; task++) {
                int o = task / chunksPerOuter;
                int c0 = (task % chunksPerOuter) * chunk;
                int len = Math.min(chunk, inner - c0);
                int base = o * n * inner + c0;
                if (max) {
                    java.util.Arrays.fill(acc, 0, len, Double.NEGATIVE_INFINITY);
                    for (int j = 0; j < n; j++) {
                        int row = base + j * inner;
                        for (int k = 0; k < len; k++) acc[k] = Math.max(acc[k], xs[row + k]);
                    }
                } else {
                    java.util.Arrays.fill(acc, 0, len, 0.0);
                    for (int j = 0; j < n; j++) {
                        int row = base + j * inner;
                        for (int k = 0; k < len; k++) acc[k] += xs[row + k];
                    }
                }
                int ob = o * inner + c0;
                for (int k = 0; k < len; k++) os[ob + k] = (float) acc[k];
            }
        });
    }
}
