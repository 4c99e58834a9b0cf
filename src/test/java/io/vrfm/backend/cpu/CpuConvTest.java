package io.vrfm.backend.cpu;

import io.vrfm.backend.ConvShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CPU convolution's passes (forward, backward data, backward filter) against a naive double-precision
 * convolution, on both paths (the shifted-window implicit GEMM and im2col + GEMM), on one thread and on two, at
 * shapes that reach the edges: one image, no padding, padding wider than the kernel less one, non-square images
 * and kernels, stride 2, 1×1, channel counts that leave partial column panels and partial six-row tiles.
 */
class CpuConvTest {

    private static CpuParallel two;

    @BeforeAll
    static void setUp() {
        two = new CpuParallel(2);
    }

    @AfterAll
    static void tearDown() {
        two.shutdown();
    }

    /** {n, c, h, w, k, r, s, stride, pad}. */
    private static final int[][] SHAPES = {
        {1, 3, 7, 5, 16, 3, 3, 1, 1},     // one image, non-square, 27 taps (a partial six-row tile)
        {2, 16, 6, 9, 16, 3, 3, 1, 0},    // no padding
        {3, 9, 8, 8, 20, 3, 3, 1, 1},     // 20 output channels: a partial second panel
        {2, 9, 5, 7, 33, 3, 3, 1, 2},     // padding 2 = r - 1: the full correlation has no padding
        {2, 9, 5, 7, 10, 3, 3, 1, 3},     // padding 3 > r - 1: backward data by im2col
        {2, 17, 6, 6, 8, 1, 1, 1, 0},     // 1×1
        {1, 8, 5, 6, 12, 2, 3, 1, 1},     // 2×3 kernel: the full correlation pads rows and columns differently
        {2, 8, 9, 9, 8, 3, 3, 2, 1},      // stride 2 (im2col)
        {2, 1, 6, 6, 16, 3, 3, 1, 1},     // one input channel (backward data by im2col)
        {1, 32, 20, 20, 32, 3, 3, 1, 1},  // one image, enough work to split its tiles across workers
        {3, 16, 16, 16, 16, 3, 3, 1, 1},  // three images on two workers
        {2, 20, 7, 9, 17, 3, 3, 1, 1},    // odd output height and width: Winograd tiles hang over both edges
        {1, 64, 28, 28, 64, 3, 3, 1, 1},  // the MNIST ResNet's width: several Winograd blocks per image
        {3, 24, 5, 5, 40, 3, 3, 1, 0},    // no padding, 3x3 output: one tile column half used
        {2, 16, 4, 6, 24, 3, 3, 1, 2},    // padding 2: backward data by Winograd without padding
        {2, 16, 8, 13, 24, 3, 3, 1, 1},   // the Winograd split's vector stores run past its last phase row
        {2, 8, 9, 11, 3, 3, 3, 1, 1},     // 3 output channels (a UNet's last conv): narrow tiles, one channel missing
        {3, 5, 7, 6, 1, 3, 3, 1, 0},      // one output channel, no padding, 45 taps (the odd last tap pairs itself)
        {2, 5, 8, 10, 5, 3, 3, 1, 2},     // 5 channels: a full narrow group and one more; padding 2
        {1, 12, 9, 9, 7, 5, 5, 1, 2},     // 5x5 kernel, 7 channels
        {1, 32, 24, 24, 6, 3, 3, 1, 1},   // one image, enough work for the narrow forward to split its pixels
        {4, 32, 16, 16, 3, 3, 3, 1, 1},   // four images on two workers, narrow backward filter in parallel
        {2, 4, 32, 32, 3, 3, 3, 1, 1},    // 1,088 virtual pixels: whole slivers (1,092) are not whole vectors
    };

    @Test
    void everyPassMatchesTheNaiveConvolution() {
        Random rnd = new Random(7);
        for (int[] v : SHAPES) {
            ConvShape s = new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
            float[] x = random(rnd, (int) s.inputSize()), w = random(rnd, (int) s.weightSize());
            float[] gy = random(rnd, (int) s.outputSize());
            double[][] fwd = forwardReference(s, x, w), data = backwardDataReference(s, gy, w);
            double[][] filter = backwardFilterReference(s, x, gy);
            for (CpuParallel par : new CpuParallel[] {new CpuParallel(1), two}) {
                String on = s + " on " + par.threads() + " thread(s)";
                compare((y) -> CpuConv.forward(x, w, y, s, par), fwd, "forward " + on);
                compare((y) -> CpuConv.forwardIm2col(x, w, y, s, par), fwd, "im2col forward " + on);
                compare((gx) -> CpuConv.backwardData(gy, w, gx, s, par), data, "backward data " + on);
                compare((gx) -> CpuConv.backwardDataIm2col(gy, w, gx, s, par), data, "im2col backward data " + on);
                compare((gw) -> CpuConv.backwardFilter(x, gy, gw, s, par), filter, "backward filter " + on);
                compare((gw) -> CpuConv.backwardFilterIm2col(x, gy, gw, s, par), filter,
                        "im2col backward filter " + on);
                if (Sgemm.vectorized() && ConvShiftedGemm.handles(s, s.k(), false)) {
                    compare((y) -> ConvShiftedGemm.forward(x, w, y, s, par), fwd, "shifted forward " + on);
                    compare((gw) -> ConvShiftedGemm.backwardFilter(x, gy, gw, s, par), filter,
                            "shifted backward filter " + on);
                }
                if (Sgemm.vectorized() && ConvShiftedGemm.handles(s, s.c(), true)) {
                    compare((gx) -> ConvShiftedGemm.backwardData(gy, w, gx, s, par), data,
                            "shifted backward data " + on);
                }
                if (Sgemm.vectorized() && ConvWinograd.handles(s, 1)) {
                    compare((y) -> ConvWinograd.forward(x, w, y, s, par), fwd, "winograd forward " + on);
                    compare((gx) -> ConvWinograd.backwardData(gy, w, gx, s, par), data,
                            "winograd backward data " + on);
                    compare((gw) -> ConvWinograd.backwardFilter(x, gy, gw, s, par), filter,
                            "winograd backward filter " + on);
                }
            }
        }
    }

    @Test
    void theShiftedPathTakesStrideOneAndBackwardDataAVectorOfColumns() {
        assumeTrue(Sgemm.vectorized(), "the shifted-window path needs the Vector API kernel"
                + " (start the JVM with --add-modules jdk.incubator.vector)");
        int l = SgemmKernels.L;
        assertTrue(ConvShiftedGemm.handles(new ConvShape(2, 16, 28, 28, 16, 3, 3, 1, 1), l, false));
        assertFalse(ConvShiftedGemm.handles(new ConvShape(2, 16, 28, 28, 16, 3, 3, 2, 1), 16, false), "stride 2");
        assertFalse(ConvShiftedGemm.handles(new ConvShape(2, 16, 28, 28, 1, 1, 1, 1, 0), l - 1, false),
                "1x1 unpadded: a plain GEMM");
        ConvShape toRgb = new ConvShape(16, 32, 32, 32, 3, 3, 3, 1, 1);
        assertTrue(ConvShiftedGemm.handles(toRgb, 3, false), "3 output channels: the narrow tiles");
        assertTrue(ConvShiftedGemm.narrow(3) && ConvShiftedGemm.narrow(l - 1) && !ConvShiftedGemm.narrow(l));
        assertTrue(CpuConv.shiftedForward(toRgb), "forward to 3 channels from 32");
        assertFalse(ConvShiftedGemm.handles(new ConvShape(2, 3, 28, 28, 16, 3, 3, 1, 1), 3, true),
                "backward data into fewer channels than a vector");
        assertTrue(ConvShiftedGemm.handles(new ConvShape(2, 16, 28, 28, 16, 3, 3, 1, 2), 16, false));
        assertTrue(ConvShiftedGemm.handles(new ConvShape(2, 16, 28, 28, 16, 3, 3, 1, 2), 16, true));
        assertFalse(ConvShiftedGemm.handles(new ConvShape(2, 16, 28, 28, 16, 3, 3, 1, 3), 16, true),
                "backward data with padding 3 on a 3x3 kernel");
    }

    @Test
    void theNarrowBackwardFilterGivesTheSameBitsOnOneWorkerAndOnTwo() {
        assumeTrue(Sgemm.vectorized(), "the narrow tiles need the Vector API kernel");
        Random rnd = new Random(11);
        ConvShape s = new ConvShape(5, 32, 16, 16, 3, 3, 3, 1, 1);
        float[] x = random(rnd, (int) s.inputSize()), gy = random(rnd, (int) s.outputSize());
        float[] one = new float[(int) s.weightSize()], both = new float[one.length];
        CpuParallel single = new CpuParallel(1);
        ConvShiftedGemm.backwardFilter(x, gy, one, s, single);
        ConvShiftedGemm.backwardFilter(x, gy, both, s, two);
        assertTrue(Arrays.equals(one, both), "the images' sums are added in image order whoever computed them");
    }

    @Test
    void winogradTakesThreeByThreeStrideOneConvolutionsWithEnoughChannelsAndPixels() {
        assumeTrue(Sgemm.vectorized() && "auto".equals(CpuConv.WINOGRAD),
                "the rule of -Dvrfm.conv.winograd=auto with the Vector API kernel");
        ConvShape resnet = new ConvShape(64, 64, 28, 28, 64, 3, 3, 1, 1);
        assertTrue(CpuConv.winograd(resnet, false));
        assertTrue(CpuConv.winograd(resnet, true));
        ConvShape narrow = new ConvShape(32, 16, 28, 28, 16, 3, 3, 1, 1);
        assertTrue(CpuConv.winograd(narrow, false));
        assertFalse(CpuConv.winograd(narrow, true), "weight gradient with 16 channels");
        assertFalse(CpuConv.winograd(new ConvShape(64, 64, 7, 7, 64, 3, 3, 1, 1), false), "7x7 output");
        assertFalse(CpuConv.winograd(new ConvShape(64, 1, 28, 28, 64, 3, 3, 1, 1), false), "one input channel");
        assertFalse(CpuConv.winograd(new ConvShape(16, 64, 32, 32, 64, 3, 3, 2, 1), false), "stride 2");
        assertFalse(CpuConv.winograd(new ConvShape(16, 64, 32, 32, 64, 5, 5, 1, 2), false), "5x5 kernel");
        assertFalse(CpuConv.winograd(new ConvShape(16, 64, 32, 32, 64, 3, 3, 1, 3), false), "padding 3");
    }

    @Test
    void forwardTakesTheShiftedGemmFromFourInputChannels() {
        assumeTrue(Sgemm.vectorized(), "the shifted-window GEMM needs the Vector API kernel");
        for (int c = 1; c <= 8; c++) {
            ConvShape s = new ConvShape(64, c, 28, 28, 64, 3, 3, 1, 1);
            assertEquals(c >= 4, CpuConv.shiftedForward(s), c + " input channels");
        }
        assertFalse(CpuConv.shiftedForward(new ConvShape(16, 64, 32, 32, 64, 3, 3, 2, 1)), "stride 2");
    }

    /** The forward pass reads every tap in order, 256 per slice, as im2col + GEMM does: the same floats. */
    @Test
    void shiftedForwardSumsInTheOrderOfIm2colAndTheGemm() {
        assumeTrue(Sgemm.vectorized() && SgemmVector.TILE == SgemmTile.R6X2 && SgemmTile.R6X2.kc == ConvShiftedGemm.KC,
                "the orders agree only for the 6x2 tile (the AVX2 one), with KC " + ConvShiftedGemm.KC);
        Random rnd = new Random(3);
        ConvShape s = new ConvShape(2, 40, 10, 11, 24, 3, 3, 1, 1);  // 360 taps: two slices
        float[] x = random(rnd, (int) s.inputSize()), w = random(rnd, (int) s.weightSize());
        float[] a = new float[(int) s.outputSize()], b = new float[a.length];
        ConvShiftedGemm.forward(x, w, a, s, null);
        CpuConv.forwardIm2col(x, w, b, s, new CpuParallel(1));
        assertTrue(Arrays.equals(a, b), "shifted and im2col forward differ");
    }

    private interface Pass {
        void run(float[] out);
    }

    private static double[][] forwardReference(ConvShape s, float[] x, float[] w) {
        int oh = s.outH(), ow = s.outW();
        double[] want = new double[(int) s.outputSize()], mag = new double[want.length];
        for (int n = 0; n < s.n(); n++) {
            for (int k = 0; k < s.k(); k++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double acc = 0, m = 0;
                        for (int c = 0; c < s.c(); c++) {
                            for (int a = 0; a < s.r(); a++) {
                                for (int b = 0; b < s.s(); b++) {
                                    double t = in(x, s, n, c, oy * s.stride() - s.pad() + a,
                                            ox * s.stride() - s.pad() + b) * w[((k * s.c() + c) * s.r() + a) * s.s() + b];
                                    acc += t;
                                    m += Math.abs(t);
                                }
                            }
                        }
                        int i = ((n * s.k() + k) * oh + oy) * ow + ox;
                        want[i] = acc;
                        mag[i] = m;
                    }
                }
            }
        }
        return new double[][] {want, mag};
    }

    private static double[][] backwardDataReference(ConvShape s, float[] gy, float[] w) {
        int oh = s.outH(), ow = s.outW();
        double[] want = new double[(int) s.inputSize()], mag = new double[want.length];
        for (int n = 0; n < s.n(); n++) {
            for (int k = 0; k < s.k(); k++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double g = gy[((n * s.k() + k) * oh + oy) * ow + ox];
                        for (int c = 0; c < s.c(); c++) {
                            for (int a = 0; a < s.r(); a++) {
                                for (int b = 0; b < s.s(); b++) {
                                    int iy = oy * s.stride() - s.pad() + a, ix = ox * s.stride() - s.pad() + b;
                                    if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) {
                                        continue;
                                    }
                                    double t = g * w[((k * s.c() + c) * s.r() + a) * s.s() + b];
                                    int i = ((n * s.c() + c) * s.h() + iy) * s.w() + ix;
                                    want[i] += t;
                                    mag[i] += Math.abs(t);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {want, mag};
    }

    private static double[][] backwardFilterReference(ConvShape s, float[] x, float[] gy) {
        int oh = s.outH(), ow = s.outW();
        double[] want = new double[(int) s.weightSize()], mag = new double[want.length];
        for (int k = 0; k < s.k(); k++) {
            for (int c = 0; c < s.c(); c++) {
                for (int a = 0; a < s.r(); a++) {
                    for (int b = 0; b < s.s(); b++) {
                        double acc = 0, m = 0;
                        for (int n = 0; n < s.n(); n++) {
                            for (int oy = 0; oy < oh; oy++) {
                                for (int ox = 0; ox < ow; ox++) {
                                    double t = gy[((n * s.k() + k) * oh + oy) * ow + ox] * in(x, s, n, c,
                                            oy * s.stride() - s.pad() + a, ox * s.stride() - s.pad() + b);
                                    acc += t;
                                    m += Math.abs(t);
                                }
                            }
                        }
                        int i = ((k * s.c() + c) * s.r() + a) * s.s() + b;
                        want[i] = acc;
                        mag[i] = m;
                    }
                }
            }
        }
        return new double[][] {want, mag};
    }

    private static double in(float[] x, ConvShape s, int n, int c, int iy, int ix) {
        if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) {
            return 0;
        }
        return x[((n * s.c() + c) * s.h() + iy) * s.w() + ix];
    }

    /**
     * Runs the pass into a NaN-filled output (every element must be written) and compares it with the reference
     * ({want, Σ|terms|}) within float rounding.
     */
    private static void compare(Pass pass, double[][] reference, String what) {
        double[] want = reference[0], mag = reference[1];
        float[] got = new float[want.length];
        Arrays.fill(got, Float.NaN);
        pass.run(got);
        for (int i = 0; i < want.length; i++) {
            double tol = 1e-5 * mag[i] + 1e-6;
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail(what + " at " + i + ": " + got[i] + " vs " + want[i] + " (tolerance " + tol + ")");
            }
        }
        assertEquals(want.length, got.length);
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }
}
