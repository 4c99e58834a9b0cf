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
                        os[o] = UnaryMath.max(xs, base, base + n);
                    } else {
                        double s = 0;
                        for (int j = 0; j < n; j++) s += xs[base + j];
                        os[o] = (float) s;
                    }
                }
            });
            return;
        }
        // Reduce across rows: parallel over (outer, block of COLUMN_BLOCK columns), so tall and wide shapes (a bias
        // gradient [1000, 128] -> [128]) use every core. Each column is accumulated on its own, in row order, in
        // double: the result does not depend on the blocking, the thread count or the vector width.
        int blocksPerOuter = (inner + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        par.forRange(outer * blocksPerOuter, Math.max(1, GRAIN / Math.max(1, n * COLUMN_BLOCK)), (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                int o = task / blocksPerOuter;
                int c0 = (task % blocksPerOuter) * COLUMN_BLOCK;
                int len = Math.min(COLUMN_BLOCK, inner - c0);
                int base = o * n * inner + c0, ob = o * inner + c0;
                if (max) {
                    maxColumns(xs, base, n, inner, len, os, ob);
                } else {
                    sumColumns(xs, base, n, inner, len, os, ob);
                }
            }
        });
    }

    /** Columns per parallel task of the across-rows reduction: two 512-bit float vectors, four 256-bit ones. */
    static final int COLUMN_BLOCK = 32;

    /** Whether {@link ReduceVector} sums columns (not touched, hence not loaded, without the Vector API module). */
    private static final boolean VECTOR_COLUMNS = Sgemm.vectorized() && ReduceVector.usable();

    /**
     * {@code os[ob + k] = Σ_j xs[base + j·inner + k]} for {@code k < len}, each column summed in double in row order;
     * {@link ReduceVector} takes the columns it can in SIMD (the same sums, bit for bit), the rest are summed here.
     */
    static void sumColumns(float[] xs, int base, int n, int inner, int len, float[] os, int ob) {
        for (int k = VECTOR_COLUMNS ? ReduceVector.sumColumns(xs, base, n, inner, len, os, ob) : 0; k < len; k++) {
            double s = 0;
            for (int j = 0, row = base + k; j < n; j++, row += inner) s += xs[row];
            os[ob + k] = (float) s;
        }
    }

    /** {@code os[ob + k] = max_j xs[base + j·inner + k]} for {@code k < len}. */
    private static void maxColumns(float[] xs, int base, int n, int inner, int len, float[] os, int ob) {
        for (int k = 0; k < len; k++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0, row = base + k; j < n; j++, row += inner) m = Math.max(m, xs[row]);
            os[ob + k] = (float) m;
        }
    }
}
