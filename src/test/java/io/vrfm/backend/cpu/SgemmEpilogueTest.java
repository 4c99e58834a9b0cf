package io.vrfm.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bias epilogue of the SGEMM ({@link Sgemm#sgemmBias}) against the two passes it replaces (bias copied into
 * every row of C, then {@code beta} 1), bit for bit, on every register tile and thread count; and one parallel
 * region per deep product with the same bits as the serial run; a layer's two backward products side by side.
 */
class SgemmEpilogueTest {

    /** m, n, k: the small (scalar) path, the few-columns (transposed) path, tile edges, several k-slices. */
    private static final int[][] SHAPES = {
            {3, 5, 4}, {1, 1, 1}, {500, 2, 200}, {300, 3, 70}, {400, 64, 128}, {61, 133, 513}, {70, 40, 1100},
            {7, 17, 300}, {2, 300, 70}};

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private interface BiasGemm {
        void run(int m, int n, int k, float[] a, float[] b, float[] bias, int biasOff, float[] c, int cOff, int ldc,
                 CpuParallel par);
    }

    /** {@code fused} against the bias copied into C and {@code plain} accumulating onto it ({@code beta} 1). */
    private static void checkAgainstTwoPasses(BiasGemm fused, SgemmTest.Gemm plain, CpuParallel par) {
        Random rnd = new Random(5);
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            int ldc = n + 3, cOff = 2, biasOff = 1;
            float[] a = random(rnd, m * k), b = random(rnd, n * k), bias = random(rnd, n + 2);
            float[] want = new float[cOff + m * ldc + 1], got = new float[want.length];
            java.util.Arrays.fill(got, Float.NaN);
            for (int i = 0; i < m; i++) {
                System.arraycopy(bias, biasOff, want, cOff + i * ldc, n);
            }
            plain.run(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 1f, want, cOff, ldc, null);
            fused.run(m, n, k, a, b, bias, biasOff, got, cOff, ldc, par);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int at = cOff + i * ldc + j;
                    assertEquals(Float.floatToIntBits(want[at]), Float.floatToIntBits(got[at]),
                            m + "x" + n + "x" + k + ": C[" + i + "," + j + "] = " + got[at] + ", want " + want[at]);
                }
            }
            for (int i = 0; i < m - 1; i++) {
                for (int j = n; j < ldc; j++) {
                    assertEquals(Float.NaN, got[cOff + i * ldc + j], "wrote outside C");
                }
            }
        }
    }

    @Test
    void biasInTheStoreIsBitIdenticalToCopyThenAccumulate() {
        for (int threads : new int[]{1, 5}) {
            CpuParallel par = new CpuParallel(threads);
            try {
                checkAgainstTwoPasses((m, n, k, a, b, bias, bo, c, co, ldc, p) ->
                        Sgemm.sgemmBias(false, true, m, n, k, 1f, a, 0, k, b, 0, k, bias, bo, c, co, ldc, null, null, p),
                        Sgemm::sgemm, par);
            } finally {
                par.shutdown();
            }
        }
    }

    @Test
    void everyRegisterTileAddsTheBiasTheSameWay() {
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: no vector kernel to test");
        CpuParallel par = new CpuParallel(2);
        try {
            for (SgemmTile tile : SgemmTile.values()) {
                checkAgainstTwoPasses((m, n, k, a, b, bias, bo, c, co, ldc, p) -> SgemmVector.sgemmBias(tile, false,
                        true, m, n, k, 1f, a, 0, k, b, 0, k, bias, bo, c, co, ldc, null, null, p),
                        (ta, tb, m, n, k, al, a, ao, lda, b, bo, ldb, be, c, co, ldc, p) -> SgemmVector.sgemm(tile,
                                ta, tb, m, n, k, al, a, ao, lda, b, bo, ldb, be, c, co, ldc, p), par);
            }
        } finally {
            par.shutdown();
        }
    }

    @Test
    void activationInTheStoreIsBitIdenticalToTheUnaryPass() {
        Random rnd = new Random(13);
        for (io.vrfm.backend.UnaryOp act : new io.vrfm.backend.UnaryOp[]{io.vrfm.backend.UnaryOp.GELU_TANH,
                io.vrfm.backend.UnaryOp.SILU}) {
            for (int threads : new int[]{2}) {
                CpuParallel par = new CpuParallel(threads);
                try {
                    for (int[] s : SHAPES) {
                        int m = s[0], n = s[1], k = s[2];
                        float[] a = random(rnd, m * k), b = random(rnd, n * k), bias = random(rnd, n);
                        boolean withBias = (m + n + k) % 2 == 0;
                        float[] z = new float[m * n], want = new float[m * n], got = new float[m * n];
                        float[] zFused = new float[m * n];
                        Sgemm.sgemmBias(false, true, m, n, k, 1f, a, 0, k, b, 0, k, withBias ? bias : null, 0, z, 0,
                                n, null, null, par);
                        UnaryMath.forward(act, z, want, 0, m * n, 0f, 0f);
                        Sgemm.sgemmBias(false, true, m, n, k, 1f, a, 0, k, b, 0, k, withBias ? bias : null, 0, zFused,
                                0, n, act, got, par);
                        for (int i = 0; i < m * n; i++) {
                            assertEquals(Float.floatToIntBits(z[i]), Float.floatToIntBits(zFused[i]),
                                    act + " " + m + "x" + n + "x" + k + ": pre-activation " + i);
                            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
                                    act + " " + m + "x" + n + "x" + k + ": activation " + i);
                        }
                    }
                } finally {
                    par.shutdown();
                }
            }
        }
    }

    /**
     * C inside a wider matrix (ldc > n, at an offset): the activation covers exactly the product's block, bit for bit
     * as the unary pass row by row, and leaves the columns beside it alone; with 1 and 2 threads, including the
     * few-rows shape whose workers split panels.
     */
    @Test
    void activationOfABlockInsideAWiderMatrixTouchesOnlyThatBlock() {
        Random rnd = new Random(17);
        int ldc = 150, cOff = 7;
        for (int[] s : new int[][]{{400, 64, 128}, {61, 133, 513}, {2, 130, 70}, {1000, 128, 8}}) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = random(rnd, m * k), b = random(rnd, n * k), bias = random(rnd, n);
            for (int threads : new int[]{1, 2}) {
                CpuParallel par = new CpuParallel(threads);
                try {
                    float[] z = new float[cOff + m * ldc], got = new float[cOff + m * ldc];
                    java.util.Arrays.fill(got, 42f);
                    Sgemm.sgemmBias(false, true, m, n, k, 1f, a, 0, k, b, 0, k, bias, 0, z, cOff, ldc,
                            io.vrfm.backend.UnaryOp.GELU_TANH, got, par);
                    float[] want = new float[z.length];
                    for (int i = 0; i < m; i++) {
                        UnaryMath.forward(io.vrfm.backend.UnaryOp.GELU_TANH, z, want, cOff + i * ldc,
                                cOff + i * ldc + n, 0f, 0f);
                        for (int j = 0; j < ldc && cOff + i * ldc + j < got.length; j++) {
                            int at = cOff + i * ldc + j;
                            float expect = j < n ? want[at] : 42f;
                            assertEquals(Float.floatToIntBits(expect), Float.floatToIntBits(got[at]),
                                    m + "x" + n + "x" + k + " on " + threads + " threads: C[" + i + "][" + j + "]");
                        }
                    }
                } finally {
                    par.shutdown();
                }
            }
        }
    }

    /** Before, 1000×128 from K = 8 stayed on one thread (2 Mflop) and the GELU over its 128k outputs with it. */
    @Test
    void aShallowProductWithAnActivationIsSplitAcrossWorkers() {
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: the vector kernel's threading");
        Random rnd = new Random(3);
        int m = 1000, n = 128, k = 8;
        float[] a = random(rnd, m * k), b = random(rnd, n * k), bias = random(rnd, n);
        float[] z = new float[m * n], y = new float[m * n];
        CpuParallel par = new CpuParallel(2);
        try {
            long before = par.regions();
            Sgemm.sgemmBias(false, true, m, n, k, 1f, a, 0, k, b, 0, k, bias, 0, z, 0, n,
                    io.vrfm.backend.UnaryOp.GELU_TANH, y, par);
            assertEquals(1, par.regions() - before, "one parallel region");
        } finally {
            par.shutdown();
        }
    }

    @Test
    void aBiasTooShortIsRefused() {
        float[] c = new float[4];
        assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemmBias(false, true, 2, 2, 1, 1f, new float[2], 0,
                1, new float[2], 0, 1, new float[1], 0, c, 0, 2, null, null, null));
    }

    @Test
    void aDeepProductRunsInOneParallelRegionWithTheSerialBits() {
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: the vector kernel's blocking");
        // the weight gradient of a Linear layer at batch 1000: K = 1000 spans four k-slices
        Random rnd = new Random(9);
        int m = 128, n = 64, k = 1000;
        float[] a = random(rnd, k * m), b = random(rnd, k * n);
        float[] serial = new float[m * n], parallel = new float[m * n];
        Sgemm.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, serial, 0, n, null);
        CpuParallel par = new CpuParallel(2);
        try {
            long before = par.regions();
            Sgemm.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, parallel, 0, n, par);
            assertEquals(1, par.regions() - before, "one fork/join for the whole product");
        } finally {
            par.shutdown();
        }
        for (int i = 0; i < serial.length; i++) {
            assertEquals(Float.floatToIntBits(serial[i]), Float.floatToIntBits(parallel[i]), "C[" + i + "]");
        }
    }

    @Test
    void bothBackwardProductsOfALayerRunInOneRegionWithTheSameBits() {
        // Linear layers of the synthetic networks at batch 1000 (in, out): hidden, widening, 2-column output
        int[][] layers = {{64, 128}, {256, 64}, {64, 2}, {2, 64}};
        CpuBackend two = new CpuBackend(2, false, false);
        CpuParallel par = new CpuParallel(2);
        Random rnd = new Random(17);
        try {
            for (int[] l : layers) {
                int rows = 1000, in = l[0], out = l[1];
                float[] g = random(rnd, rows * out), x = random(rnd, rows * in), w = random(rnd, out * in);
                float[] gxWant = new float[rows * in], gwWant = new float[out * in];
                Sgemm.sgemm(false, false, rows, in, out, 1f, g, 0, out, w, 0, in, 0f, gxWant, 0, in, par);
                Sgemm.sgemm(true, false, out, in, rows, 1f, g, 0, out, x, 0, in, 0f, gwWant, 0, in, par);
                io.vrfm.backend.Buffer gb = upload(two, g), xb = upload(two, x), wb = upload(two, w);
                io.vrfm.backend.Buffer gx = two.allocate(rows * in), gw = two.allocate(out * in);
                long before = two.parallelRegions();
                two.linearBackward(gb, xb, wb, gx, gw, rows, in, out);
                long regions = two.parallelRegions() - before;
                if (2L * rows * in * out >= 1L << 21) {
                    assertEquals(1, regions, in + "->" + out + ": one region for both products");
                }
                float[] gxGot = new float[rows * in], gwGot = new float[out * in];
                two.download(gx, 0, gxGot, 0, gxGot.length);
                two.download(gw, 0, gwGot, 0, gwGot.length);
                for (int i = 0; i < gxGot.length; i++) {
                    assertEquals(Float.floatToIntBits(gxWant[i]), Float.floatToIntBits(gxGot[i]), in + "->" + out + " gx " + i);
                }
                for (int i = 0; i < gwGot.length; i++) {
                    assertEquals(Float.floatToIntBits(gwWant[i]), Float.floatToIntBits(gwGot[i]), in + "->" + out + " gW " + i);
                }
            }
        } finally {
            par.shutdown();
            two.close();
        }
    }

    private static io.vrfm.backend.Buffer upload(CpuBackend be, float[] v) {
        io.vrfm.backend.Buffer b = be.allocate(v.length);
        be.upload(v, 0, b, 0, v.length);
        return b;
    }
}
