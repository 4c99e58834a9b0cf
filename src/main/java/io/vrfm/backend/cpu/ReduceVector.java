package io.vrfm.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD column sums for {@link CpuReduce}'s across-rows reduction (a bias gradient {@code [1000, 128] → [128]}): each
 * float vector widened to two double vectors and added lane-wise, so each column is still summed in double in row
 * order — the same sums as the scalar loop, bit for bit. Only loaded when {@link Sgemm#vectorized()} says the Vector
 * API module is present, and only used where {@link #usable()}.
 *
 * <p>It uses the preferred float species, the GEMM kernel's: a second float shape in the process (say
 * {@code SPECIES_128} here) makes the kernel's vector calls polymorphic, C2 stops inlining them, and the 2-D RFM step
 * ran 4× slower when this class first tried one (measured; {@code ArchitectureTest} keeps the rule).
 */
final class ReduceVector {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** {@link #D}'s vector class: stores cast to it first, see {@link SgemmKernels#V}. */
    @SuppressWarnings("unchecked")
    private static final Class<DoubleVector> DV = (Class<DoubleVector>) D.vectorType();

    private ReduceVector() {
    }

    /** Whether the vectors are at least 256 bits (x86 with AVX): narrower ones gain nothing over the scalar loop. */
    static boolean usable() {
        return F.vectorBitSize() >= 256 && D.vectorBitSize() == F.vectorBitSize();
    }

    /**
     * Sums columns {@code [0, k)} of the block ({@code os[ob + c] = Σ_j xs[base + j·inner + c]}), two float vectors'
     * width at a time, and returns {@code k}, the first column left to the caller.
     */
    static int sumColumns(float[] xs, int base, int n, int inner, int len, float[] os, int ob) {
        int lanes = F.length(), half = lanes / 2;
        double[] sums = null;
        int k = 0;
        for (; k + 2 * lanes <= len; k += 2 * lanes) {
            // Rows whose last load (lanes floats at row + 3·half) stays inside xs; the rest (the array's last row at
            // most) are added in scalar code below, after the vector rows, so each column keeps its row order.
            int vectorRows = n;
            while (vectorRows > 0 && base + (long) (vectorRows - 1) * inner + k + 3 * half + lanes > xs.length) {
                vectorRows--;
            }
            DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
            int row = base + k;
            for (int j = 0; j < vectorRows; j++, row += inner) {
                a0 = a0.add(FloatVector.fromArray(F, xs, row).convertShape(VectorOperators.F2D, D, 0));
                a1 = a1.add(FloatVector.fromArray(F, xs, row + half).convertShape(VectorOperators.F2D, D, 0));
                a2 = a2.add(FloatVector.fromArray(F, xs, row + lanes).convertShape(VectorOperators.F2D, D, 0));
                a3 = a3.add(FloatVector.fromArray(F, xs, row + lanes + half).convertShape(VectorOperators.F2D, D, 0));
            }
            if (sums == null) {
                sums = new double[2 * lanes];
            }
            DV.cast(a0).intoArray(sums, 0);
            DV.cast(a1).intoArray(sums, half);
            DV.cast(a2).intoArray(sums, lanes);
            DV.cast(a3).intoArray(sums, lanes + half);
            for (int j = vectorRows; j < n; j++, row += inner) {
                for (int c = 0; c < 2 * lanes; c++) sums[c] += xs[row + c];
            }
            for (int c = 0; c < 2 * lanes; c++) os[ob + k + c] = (float) sums[c];
        }
        return k;
    }
}
