package io.vrfm.backend.cpu;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every micro-kernel of {@link SgemmKernels}, bit for bit against its definition: each element of the tile is one
 * chain of fused multiply-adds over the steps in order, starting from zero, then stored or added to C. This pins the
 * summation order, so a rewrite of a kernel's loop cannot change any result of the GEMM.
 */
class SgemmKernelsTest {

    @Test
    void everyKernelIsOneFmaChainPerElementInStepOrder() {
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: no vector kernel to test");
        Random rnd = new Random(5);
        int l = SgemmKernels.L;
        for (SgemmTile tile : SgemmTile.values()) {
            int mr = tile.rows, nr = tile.vectors * l;
            for (int kc : new int[] {1, 2, 7, 64, 257}) {
                for (int mode = 0; mode < 3; mode++) {           // A packed, in place, in place transposed
                    for (int ldbp : new int[] {nr, nr + 5}) {    // a packed panel, or B read in place
                        for (boolean overwrite : new boolean[] {true, false}) {
                            check(tile, mr, nr, kc, mode, ldbp, overwrite, rnd);
                        }
                    }
                }
            }
        }
    }

    private static void check(SgemmTile tile, int mr, int nr, int kc, int mode, int ldbp, boolean overwrite,
                              Random rnd) {
        // A: packed (step MR, rows 1 apart), in place (step 1, rows lda apart) or transposed (step lda, rows 1 apart)
        int lda = mode == 1 ? kc + 3 : mr + 2;
        int aps = mode == 0 ? mr : mode == 1 ? 1 : lda, ars = mode == 1 ? lda : 1;
        int ao = 3, bo = 2, co = 1, ldc = nr + 4;
        float[] a = random(rnd, ao + (mode == 1 ? mr * lda : kc * Math.max(mr, aps)) + 2);
        float[] b = random(rnd, bo + kc * ldbp + 2);
        float[] c = random(rnd, co + mr * ldc + 2);
        float[] want = c.clone();
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                float acc = 0f;
                for (int p = 0; p < kc; p++) {
                    acc = Math.fma(a[ao + p * aps + r * ars], b[bo + p * ldbp + j], acc);
                }
                int ci = co + r * ldc + j;
                want[ci] = overwrite ? acc : acc + want[ci];
            }
        }
        if (mode == 0) {
            switch (tile) {
                case R8X2 -> SgemmKernels.kernel8x2(kc, a, ao, b, bo, ldbp, c, co, ldc, overwrite);
                case R6X2 -> SgemmKernels.kernel6x2(kc, a, ao, b, bo, ldbp, c, co, ldc, overwrite);
                case R4X3 -> SgemmKernels.kernel4x3(kc, a, ao, b, bo, ldbp, c, co, ldc, overwrite);
            }
        } else if (mode == 1) {
            switch (tile) {
                case R8X2 -> SgemmKernels.kernel8x2A(kc, a, ao, ars, b, bo, ldbp, c, co, ldc, overwrite);
                case R6X2 -> SgemmKernels.kernel6x2A(kc, a, ao, ars, b, bo, ldbp, c, co, ldc, overwrite);
                case R4X3 -> SgemmKernels.kernel4x3A(kc, a, ao, ars, b, bo, ldbp, c, co, ldc, overwrite);
            }
        } else {
            switch (tile) {
                case R8X2 -> SgemmKernels.kernel8x2AT(kc, a, ao, aps, b, bo, ldbp, c, co, ldc, overwrite);
                case R6X2 -> SgemmKernels.kernel6x2AT(kc, a, ao, aps, b, bo, ldbp, c, co, ldc, overwrite);
                case R4X3 -> SgemmKernels.kernel4x3AT(kc, a, ao, aps, b, bo, ldbp, c, co, ldc, overwrite);
            }
        }
        for (int i = 0; i < c.length; i++) {
            if (Float.floatToIntBits(c[i]) != Float.floatToIntBits(want[i])) {
                fail(tile.label() + " kc=" + kc + " A mode " + mode + " ldbp=" + ldbp + " overwrite=" + overwrite
                        + ": C[" + i + "] = " + c[i] + ", want " + want[i]);
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
