package io.vrfm.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SgemmTest {

    private static CpuParallel par;

    @BeforeAll
    static void setUp() {
        par = new CpuParallel(Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    @AfterAll
    static void tearDown() {
        par.shutdown();
    }

    @FunctionalInterface
    interface Gemm {
        void run(boolean transA, boolean transB, int m, int n, int k, float alpha,
                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                 float beta, float[] c, int cOff, int ldc, CpuParallel par);
    }

    /** One random problem, checked against a double-precision naive product. */
    private static void check(Gemm gemm, Random rnd, boolean transA, boolean transB, int m, int n, int k,
                              float alpha, float beta, boolean padded, CpuParallel p) {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + (padded ? rnd.nextInt(5) : 0);
        int ldb = bCols + (padded ? rnd.nextInt(5) : 0);
        int ldc = n + (padded ? rnd.nextInt(5) : 0);
        int aOff = padded ? rnd.nextInt(7) : 0;
        int bOff = padded ? rnd.nextInt(7) : 0;
        int cOff = padded ? rnd.nextInt(7) : 0;
        float[] a = random(rnd, aOff + Math.max(0, (aRows - 1) * lda + aCols) + (padded ? 3 : 0));
        float[] b = random(rnd, bOff + Math.max(0, (bRows - 1) * ldb + bCols) + (padded ? 3 : 0));
        float[] c = random(rnd, cOff + Math.max(0, (m - 1) * ldc + n) + (padded ? 3 : 0));
        if (beta == 0f) {
            Arrays.fill(c, Float.NaN); // beta == 0 must ignore C, NaN included
        }
        float[] c0 = c.clone();

        double[] ref = new double[m * n];
        double[] mag = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, g = 0;
                for (int q = 0; q < k; q++) {
                    double x = transA ? a[aOff + q * lda + i] : a[aOff + i * lda + q];
                    double y = transB ? b[bOff + j * ldb + q] : b[bOff + q * ldb + j];
                    s += x * y;
                    g += Math.abs(x * y);
                }
                double prev = beta == 0f ? 0 : beta * (double) c0[cOff + i * ldc + j];
                ref[i * n + j] = alpha * s + prev;
                mag[i * n + j] = Math.abs(alpha) * g + Math.abs(prev);
            }
        }

        gemm.run(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, p);

        String what = "transA=" + transA + " transB=" + transB + " m=" + m + " n=" + n + " k=" + k
                + " alpha=" + alpha + " beta=" + beta + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double want = ref[i * n + j];
                float got = c[cOff + i * ldc + j];
                // float32 accumulation error grows with k and with the magnitude of the summands
                double tol = 1e-5 + 1e-5 * Math.abs(want) + 2e-6 * Math.sqrt(k + 1.0) * mag[i * n + j];
                if (!(Math.abs(got - want) <= tol)) {
                    fail(what + ": C[" + i + "," + j + "] = " + got + ", want " + want + " (tol " + tol + ")");
                }
            }
        }
        // nothing outside the m×n block of C changed
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside && Float.floatToIntBits(c[idx]) != Float.floatToIntBits(c0[idx])) {
                fail(what + ": wrote outside C at index " + idx);
            }
        }
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (rnd.nextGaussian());
        }
        return x;
    }

    private static void edgeCases(Gemm gemm, CpuParallel p) {
        Random rnd = new Random(42);
        int[] sizes = {1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 47, 65};
        boolean[] tf = {false, true};
        for (boolean ta : tf) {
            for (boolean tb : tf) {
                check(gemm, rnd, ta, tb, 1, 1, 1, 1f, 0f, false, p);
                check(gemm, rnd, ta, tb, 1, 1, 0, 1f, 0f, false, p);
                check(gemm, rnd, ta, tb, 3, 4, 0, 2f, 0.5f, true, p);
                for (int trial = 0; trial < 25; trial++) {
                    int m = sizes[rnd.nextInt(sizes.length)];
                    int n = sizes[rnd.nextInt(sizes.length)];
                    int k = sizes[rnd.nextInt(sizes.length)];
                    float alpha = trial % 3 == 0 ? 1f : (float) rnd.nextGaussian();
                    float beta = trial % 4 == 0 ? 0f : trial % 4 == 1 ? 1f : (float) rnd.nextGaussian();
                    check(gemm, rnd, ta, tb, m, n, k, alpha, beta, trial % 2 == 1, p);
                }
            }
        }
    }

    private static void largerSizes(Gemm gemm, CpuParallel p) {
        Random rnd = new Random(7);
        boolean[] tf = {false, true};
        for (boolean ta : tf) {
            for (boolean tb : tf) {
                // crosses the k-blocking (KC: 256 scalar, 512 vector), the m-blocking (MC = 128) and an odd column tail
                check(gemm, rnd, ta, tb, 150, 97, 300, 1f, 0f, false, p);
                check(gemm, rnd, ta, tb, 61, 133, 513, -0.5f, 1f, true, p);
                check(gemm, rnd, ta, tb, 2, 300, 70, 1.5f, 0.25f, true, p);   // few rows, many columns
                check(gemm, rnd, ta, tb, 300, 3, 70, 1f, 0f, true, p);        // many rows, few columns
                check(gemm, rnd, ta, tb, 128, 128, 128, 1f, 0f, false, p);
                check(gemm, rnd, ta, tb, 500, 2, 200, 1f, 0f, true, p);       // 2 outputs: transposed path
                check(gemm, rnd, ta, tb, 256, 16, 256, 1f, 0f, true, p);      // attention's 16-wide heads
                check(gemm, rnd, ta, tb, 96, 16, 40, 0.5f, 2f, true, p);      // the same, general beta
                check(gemm, rnd, ta, tb, 70, 40, 1100, 1f, 0f, false, p);     // several k-slices, beta = 0
                check(gemm, rnd, ta, tb, 70, 40, 1100, 0.5f, 2f, true, p);    // several k-slices, general beta
                check(gemm, rnd, ta, tb, 300, 15, 90, 0.5f, -1f, true, p);
            }
        }
        for (int trial = 0; trial < 12; trial++) {
            int m = 1 + rnd.nextInt(200), n = 1 + rnd.nextInt(200), k = 1 + rnd.nextInt(400);
            check(gemm, rnd, rnd.nextBoolean(), rnd.nextBoolean(), m, n, k, (float) rnd.nextGaussian(),
                    rnd.nextBoolean() ? 0f : (float) rnd.nextGaussian(), rnd.nextBoolean(), p);
        }
    }

    @Test
    void edgeCasesMatchReference() {
        edgeCases(Sgemm::sgemm, par);
        edgeCases(Sgemm::sgemm, null);
    }

    @Test
    void largerSizesMatchReference() {
        largerSizes(Sgemm::sgemm, par);
        largerSizes(Sgemm::sgemm, new CpuParallel(1));
        CpuParallel five = new CpuParallel(5); // more workers than cores: panels packed by whoever comes first
        try {
            largerSizes(Sgemm::sgemm, five);
        } finally {
            five.shutdown();
        }
    }

    @Test
    void wideProblemBeyondColumnBlock() {
        // n above the column block (NC) of both kernels
        Random rnd = new Random(3);
        check(Sgemm::sgemm, rnd, false, false, 9, 4200, 20, 1f, 0f, false, par);
        check(Sgemm::sgemm, rnd, true, true, 9, 4200, 20, 1f, 0.5f, true, par);
        check(SgemmScalar::sgemm, rnd, false, true, 9, 4200, 20, 1f, 0f, false, par);
    }

    @Test
    void scalarFallbackMatchesReference() {
        edgeCases(SgemmScalar::sgemm, par);
        largerSizes(SgemmScalar::sgemm, par);
        largerSizes(SgemmScalar::sgemm, null);
    }

    @Test
    void vectorKernelDirectlyWhenAvailable() {
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: no vector kernel to test");
        edgeCases(SgemmVector::sgemm, par);
        largerSizes(SgemmVector::sgemm, par);
    }

    @Test
    void everyRegisterTileMatchesReference() {
        // every tile runs on any machine (at this machine's vector width), whichever one start-up chose
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: no vector kernel to test");
        for (SgemmTile tile : SgemmTile.values()) {
            Gemm gemm = (ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, p) ->
                    SgemmVector.sgemm(tile, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, p);
            edgeCases(gemm, par);
            largerSizes(gemm, null);
            Random rnd = new Random(11);
            // the V-RFM step's Linear shapes: forward (B transposed), backward data, backward weight (A transposed)
            check(gemm, rnd, false, true, 1000, 64, 128, 1f, 0f, false, par);
            check(gemm, rnd, false, false, 1000, 256, 64, 1f, 0f, false, par);
            check(gemm, rnd, true, false, 128, 64, 1000, 1f, 0f, false, par);
            check(gemm, rnd, false, true, 301, 130, 70, 1f, 1f, true, par);   // bias already in C (beta = 1)
        }
    }

    @Test
    void operandsReadInPlaceMatchReferenceAndPackedPathBitForBit() {
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: no vector kernel to test");
        Random rnd = new Random(23);
        for (SgemmTile tile : SgemmTile.values()) {
            int nr = tile.vectors * SgemmVector.vectorBits() / 32;
            assertTrue(SgemmVector.readsBInPlace(tile, false, 2 * nr));
            assertFalse(SgemmVector.readsBInPlace(tile, true, 2 * nr));     // op(B) rows not contiguous
            assertFalse(SgemmVector.readsBInPlace(tile, false, 2 * nr + 1)); // a partial panel needs padding
            int[] ms = {1, 5, 7, 13, 61, 150};
            int[] ks = {1, 3, 70, 300, 513};
            for (int trial = 0; trial < 24; trial++) {
                boolean directA = trial % 3 != 1, directB = trial % 3 != 0;
                boolean ta = rnd.nextBoolean(), tb = !directB && rnd.nextBoolean();
                int m = ms[rnd.nextInt(ms.length)], k = ks[rnd.nextInt(ks.length)];
                int n = directB ? nr * (1 + rnd.nextInt(3)) : 1 + rnd.nextInt(3 * nr);
                float alpha = trial % 4 < 2 ? 1f : (float) rnd.nextGaussian();   // A is read in place at alpha 1
                float beta = trial % 5 == 0 ? 0f : trial % 5 == 1 ? 1f : (float) rnd.nextGaussian();
                CpuParallel p = trial % 2 == 0 ? par : null;
                Gemm direct = (xa, xb, mm, nn, kk, al, aa, aOff, lda, bb, bOff, ldb, be, cc, cOff, ldc, pp) ->
                        SgemmVector.sgemm(tile, directA, directB, xa, xb, mm, nn, kk, al, aa, aOff, lda, bb, bOff, ldb,
                                be, cc, cOff, ldc, pp);
                check(direct, rnd, ta, tb, m, n, k, alpha, beta, trial % 2 == 1, p);
                // the same inputs through packed panels: every element summed in the same order
                int lda = (ta ? m : k) + trial % 3, ldb = (tb ? k : n) + trial % 5, ldc = n + trial % 2;
                float[] a = random(rnd, (ta ? k : m) * lda), b = random(rnd, (tb ? n : k) * ldb);
                float[] c0 = random(rnd, m * ldc), packed = c0.clone(), inPlace = c0.clone();
                SgemmVector.sgemm(tile, false, false, ta, tb, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, packed, 0,
                        ldc, p);
                direct.run(ta, tb, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, inPlace, 0, ldc, p);
                for (int i = 0; i < packed.length; i++) {
                    if (Float.floatToIntBits(packed[i]) != Float.floatToIntBits(inPlace[i])) {
                        fail(tile.label() + " directA=" + directA + " directB=" + directB + " transA=" + ta
                                + " transB=" + tb + " m=" + m + " n=" + n + " k=" + k + ": C[" + i + "] "
                                + inPlace[i] + " read in place, " + packed[i] + " packed");
                    }
                }
            }
        }
    }

    @Test
    void bReadInPlaceByDefaultOnlyForFewRowsOnSeveralWorkersOrFewSliversAndSameBits() {
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: no vector kernel to test");
        assumeTrue(SgemmVector.DIRECT_B.equals("auto"), "-Dvrfm.sgemm.directB set: the default rule is not in use");
        int few = SgemmVector.DIRECT_B_MAX_SLIVERS;
        assertTrue(SgemmVector.readsBInPlace(SgemmVector.DIRECT_B_MAX_M, 2, few + 60));
        assertFalse(SgemmVector.readsBInPlace(SgemmVector.DIRECT_B_MAX_M + 1, 2, few + 60)); // panels serve many
        assertFalse(SgemmVector.readsBInPlace(66, 1, few + 1));      // one worker: packing pays
        assertTrue(SgemmVector.readsBInPlace(64, 1, few));           // ... unless each panel serves few slivers
        // weight gradients (K = batch) through the default driver, one and two workers: the bits of packed panels
        Random rnd = new Random(29);
        CpuParallel two = new CpuParallel(2);
        try {
            for (int[] s : new int[][]{{128, 128, 1000}, {64, 256, 1000}, {128, 64, 300}, {40, 256, 300}}) {
                int m = s[0], n = s[1], k = s[2];
                float[] a = random(rnd, k * m), b = random(rnd, k * n);
                float[] packed = new float[m * n];
                SgemmVector.sgemm(SgemmVector.TILE, false, false, true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f,
                        packed, 0, n, null);
                for (CpuParallel p : new CpuParallel[]{null, two}) {
                    float[] byDefault = new float[m * n];
                    Sgemm.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, byDefault, 0, n, p);
                    for (int i = 0; i < packed.length; i++) {
                        assertEquals(Float.floatToIntBits(packed[i]), Float.floatToIntBits(byDefault[i]),
                                m + "x" + n + "x" + k + " on " + (p == null ? 1 : 2) + " workers: C[" + i + "]");
                    }
                }
            }
        } finally {
            two.shutdown();
        }
    }

    @Test
    void transposedAReadInPlaceAtAnyWidthRowMajorAOnlyWhenNarrow() {
        assumeTrue(SgemmVector.DIRECT_A.equals("auto"), "-Dvrfm.sgemm.directA set: the default rule is not in use");
        assertTrue(SgemmVector.readsAInPlace(true, 4096));
        assertTrue(SgemmVector.readsAInPlace(false, SgemmVector.DIRECT_A_MAX_N));
        assertFalse(SgemmVector.readsAInPlace(false, SgemmVector.DIRECT_A_MAX_N + 1));
    }

    @Test
    void halfTileWideProductsAreTransposedOnlyWithATransposedAndWholeSlivers() {
        assumeTrue(Sgemm.vectorized(), "the transposed path is the Vector API kernel's");
        int l = SgemmKernels.L;   // 16 with AVX-512: attention's 16-wide heads
        assertTrue(SgemmVector.transposesHalfWidth(SgemmTile.R8X2, true, l));
        assertFalse(SgemmVector.transposesHalfWidth(SgemmTile.R8X2, false, l));         // T's B from a transposed layout
        assertFalse(SgemmVector.transposesHalfWidth(SgemmTile.R8X2, true, 3 * l / 4));  // T's last sliver part empty
        assertFalse(SgemmVector.transposesHalfWidth(SgemmTile.R8X2, true, 3 * l / 2));  // more than half the tile
        assertFalse(SgemmVector.transposesHalfWidth(SgemmTile.R6X2, true, 8));    // 8 rows = 1 1/3 slivers of 6
    }

    /**
     * A product computed as its transpose gives the bits of computing that transpose by hand and transposing it:
     * every element is the same chain of fused multiply-adds over k either way (a·b = b·a exactly).
     */
    @Test
    void theTransposedPathSumsEachElementAsTheDirectProductWould() {
        assumeTrue(Sgemm.vectorized(), "the transposed path is the Vector API kernel's");
        Random rnd = new Random(3);
        int m = 256, n = 16, k = 700;   // two k-slices on the 6x2 tile, one and a half on the 8x2
        float[] a = random(rnd, k * m), b = random(rnd, k * n), c = new float[m * n], t = new float[n * m];
        Sgemm.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, c, 0, n, null);      // A transposed: [k, m]
        // Cᵀ = Bᵀ·A: 16 rows, many columns, computed directly (n = 256 >= every tile's width)
        Sgemm.sgemm(true, false, n, m, k, 1f, b, 0, n, a, 0, m, 0f, t, 0, m, null);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(Float.floatToRawIntBits(t[j * m + i]), Float.floatToRawIntBits(c[i * n + j]),
                        "C[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void workersSplitRowsUnlessSplittingPanelsLeavesTheBusiestFewerTiles() {
        assertFalse(SgemmVector.splitsRows(1, 100, 100, true));   // one worker splits nothing
        assertTrue(SgemmVector.splitsRows(2, 128, 32, true));     // 64·32 tiles either way: rows
        assertTrue(SgemmVector.splitsRows(2, 22, 4, true));       // 11·4 = 22·2: rows
        assertFalse(SgemmVector.splitsRows(2, 11, 16, true));     // rows 6·16 = 96, panels 11·8 = 88
        assertTrue(SgemmVector.splitsRows(2, 11, 16, false));     // ... but each worker would pack all of A
        assertFalse(SgemmVector.splitsRows(2, 3, 16, false));     // too few slivers to share
        assertTrue(SgemmVector.splitsRows(2, 4, 3, true));        // rows 2·3 = 6, panels 2·4 = 8
        assertTrue(SgemmVector.splitsRows(5, 12, 3, true));       // rows 3·3 = 9, panels 1·12 = 12
        assertTrue(SgemmVector.splitsRows(2, 167, 4, true));      // rows 84·4 = 336, panels 167·2 = 334: too close
    }

    @Test
    void tileFollowsVectorRegisters() {
        assertEquals(32, SgemmTile.registers(512, "amd64"));   // AVX-512
        assertEquals(16, SgemmTile.registers(256, "amd64"));   // AVX2
        assertEquals(16, SgemmTile.registers(128, "amd64"));   // SSE / AVX
        assertEquals(32, SgemmTile.registers(128, "aarch64")); // NEON
        assertEquals(SgemmTile.R8X2, SgemmTile.forRegisters(32));
        assertEquals(SgemmTile.R6X2, SgemmTile.forRegisters(16));
        for (SgemmTile t : SgemmTile.values()) {
            assertEquals(t, SgemmTile.parse(t.label()));
            assertEquals(0, t.mc % t.rows, t + ": MC must be a whole number of slivers");
            // accumulators + B vectors + the broadcast fit the register file the tile is chosen for
            assertTrue(t.rows * t.vectors + t.vectors + 1 <= (t == SgemmTile.R8X2 ? 32 : 16), t.label());
        }
        assertEquals(SgemmTile.R6X2, SgemmTile.parse(" 6X2 "));
        assertEquals(null, SgemmTile.parse("7x7"));
    }

    @Test
    void zeroSizesAndAlphaZero() {
        float[] c = {Float.NaN, 5f};
        Sgemm.sgemm(false, false, 0, 2, 3, 1f, new float[0], 0, 3, new float[6], 0, 2, 0f, c, 0, 2, par);
        assertTrue(Float.isNaN(c[0]));
        Sgemm.sgemm(false, false, 1, 0, 3, 1f, new float[3], 0, 3, new float[0], 0, 1, 0f, c, 0, 1, par);
        assertTrue(Float.isNaN(c[0]));
        // alpha == 0: C = beta·C, A and B not read (NaN there must not leak)
        float[] a = {Float.NaN, Float.NaN};
        float[] b = {Float.NaN, Float.NaN};
        float[] c2 = {3f, 4f};
        Sgemm.sgemm(false, false, 1, 2, 1, 0f, a, 0, 1, b, 0, 2, 2f, c2, 0, 2, par);
        assertEquals(6f, c2[0]);
        assertEquals(8f, c2[1]);
    }

    @Test
    void rejectsArraysTooSmall() {
        assertThrows(IllegalArgumentException.class, () ->
                Sgemm.sgemm(false, false, 2, 2, 2, 1f, new float[3], 0, 2, new float[4], 0, 2, 0f,
                        new float[4], 0, 2, par));
        assertThrows(IllegalArgumentException.class, () ->
                Sgemm.sgemm(false, false, 2, 2, 2, 1f, new float[4], 0, 2, new float[4], 0, 2, 0f,
                        new float[4], 1, 2, par));
        assertThrows(IllegalArgumentException.class, () ->
                Sgemm.sgemm(false, false, 2, 3, 2, 1f, new float[4], 0, 2, new float[6], 0, 3, 0f,
                        new float[6], 0, 2, par));
    }

    @Test
    void scalarPathWhenJvmLacksVectorModule() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(java != null,
                "cannot locate this JVM's launcher: no child JVM to start");
        Process proc = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SgemmNoVectorMain.class.getName()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes());
        assertEquals(0, proc.waitFor(), out);
        assertTrue(out.contains("scalar (start the JVM with --add-modules jdk.incubator.vector"), out);
        assertTrue(out.contains("maxerr=0.0"), out);
    }

    @Test
    void scalarPathWhenTheJvmUsesNoFma() throws Exception {
        // -XX:-UseFMA is what a CPU or VM without FMA gives: the Vector API kernels ran 30,000x slower there
        String java = ProcessHandle.current().info().command().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(java != null,
                "cannot locate this JVM's launcher: no child JVM to start");
        Process proc = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-XX:-UseFMA",
                "-cp", System.getProperty("java.class.path"), SgemmNoVectorMain.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes());
        assertEquals(0, proc.waitFor(), out);
        assertTrue(out.contains("scalar (this JVM uses no FMA instructions"), out);
        assertTrue(out.contains("maxerr=0.0"), out);
    }

    @Test
    void scalarReasonNamesWhatToChange() {
        assertEquals("-Dvrfm.sgemm.scalar=true", Sgemm.scalarReason(true, true, "true"));
        assertTrue(Sgemm.scalarReason(false, false, "true").contains("--add-modules jdk.incubator.vector"));
        assertTrue(Sgemm.scalarReason(false, true, "false").contains("no FMA"));
        assertEquals(null, Sgemm.scalarReason(false, true, "true"));
        assertEquals(null, Sgemm.scalarReason(false, true, null));      // option unreadable: keep the SIMD path
    }

    @Test
    void pathNamesTheKernel() {
        String path = Sgemm.path();
        assertFalse(path.isEmpty());
        assertEquals(Sgemm.vectorized(), path.startsWith("vector-api"));
        if (Sgemm.vectorized()) {
            assertTrue(path.contains(SgemmVector.TILE.label() + "-vector tile"), path);
        }
    }
}
