package io.vrfm.backend.cpu;

import io.vrfm.backend.ConvShape;

/**
 * 2-D convolution on the CPU. 3×3 stride-1 passes with enough channels and pixels run by Winograd's F(2×2, 3×3)
 * ({@link ConvWinograd}, {@link #winograd}); other stride-1 passes with at least a vector of output columns (forward:
 * and at least {@link #SHIFTED_FORWARD_MIN_CHANNELS} input channels) run as an implicit GEMM on the zero-padded image
 * ({@link ConvShiftedGemm}), both when the Vector API kernel is in use; the
 * others by im2col + GEMM: per image, the input is unfolded into a {@code [c·r·s, oh·ow]} column matrix (a
 * per-thread buffer, reused) and multiplied by the {@code [k, c·r·s]} weight. Images are split across cores when the
 * batch is large enough; otherwise each GEMM uses every core.
 */
final class CpuConv {
    /** Larger column matrices (16 MiB and up) are allocated per call rather than kept by every thread. */
    private static final int COL_KEPT = 1 << 22;
    /** The column matrix of each thread, grown on demand up to {@link #COL_KEPT} floats. */
    private static final ThreadScratch COL = new ThreadScratch(COL_KEPT);

    /**
     * When 3×3 stride-1 passes take {@link ConvWinograd}: {@code -Dvrfm.conv.winograd=auto} (default) where it
     * measured faster than {@link ConvShiftedGemm} ({@link #winograd}), {@code on} for every such pass, {@code off}
     * never. Needs the Vector API kernels.
     */
    static final String WINOGRAD =
            System.getProperty("vrfm.conv.winograd", "auto").trim().toLowerCase(java.util.Locale.ROOT);
    /** Fewest channels on either side for {@code auto} (forward and backward data; backward filter: 64). */
    static final int WINOGRAD_MIN_CHANNELS = 16, WINOGRAD_FILTER_MIN_CHANNELS = 64;
    /** Fewest output pixels per image for {@code auto}. */
    static final int WINOGRAD_MIN_PIXELS = 100;

    /**
     * Fewest input channels for which the forward pass takes {@link ConvShiftedGemm}: its GEMM is {@code c} deep per
     * kernel tap, im2col's {@code c·r·s} deep in one, and with 1–3 channels the shifted one's stores of C dominate.
     * {@code ConvBenchMain} (2-core AMD EPYC, 3×3 to 64 channels at 28×28 batch 64, wall-clock on 2 threads), im2col
     * over shifted: 1 channel 2.0x with AVX-512, 1.5x at -XX:UseAVX=2; 2 channels 1.3x; 3 channels (32×32) 1.2x
     * (AVX-512) and 0.96x (AVX2), to 128 channels 1.75x and 1.4x; 4 channels level (1.04x, 1.07x); 8 channels 0.83x.
     */
    static final int SHIFTED_FORWARD_MIN_CHANNELS = 4;

    private CpuConv() {
    }

    /** Whether the forward pass runs on {@link ConvShiftedGemm} (when not by Winograd). */
    static boolean shiftedForward(ConvShape s) {
        return Sgemm.vectorized() && s.c() >= SHIFTED_FORWARD_MIN_CHANNELS && ConvShiftedGemm.handles(s, s.k(), false);
    }

    /**
     * Whether a pass of this convolution runs by Winograd's F(2×2, 3×3) ({@link #WINOGRAD}). {@code auto} follows
     * {@code ConvBenchMain -Dversus=shifted} (2-core AMD EPYC, AVX-512 and its AVX2 path): the forward and
     * backward-data passes gain 1.1–1.9x over the shifted-window GEMM from 32 channels at 14×14 and up, 1.2–1.3x at
     * 16 channels with AVX-512 (0.91–1.0x on AVX2), and lose at 7×7 (0.86–0.94x); the backward-filter pass, whose
     * transformed output gradient must be transposed, gains only from 64 channels (1.1–1.5x at 14×14 and 28×28;
     * 0.75–0.9x at 16 and 32 channels).
     */
    static boolean winograd(ConvShape s, boolean filter) {
        if (!Sgemm.vectorized()) {
            return false;
        }
        return switch (WINOGRAD) {
            case "on" -> ConvWinograd.handles(s, 1);
            case "off" -> false;
            default -> ConvWinograd.handles(s, filter ? WINOGRAD_FILTER_MIN_CHANNELS : WINOGRAD_MIN_CHANNELS)
                    && s.outH() * s.outW() >= WINOGRAD_MIN_PIXELS;
        };
    }

    /** The rule {@link #winograd} applies, for {@code info}. */
    static String winogradRule() {
        return switch (WINOGRAD) {
            case "on" -> "winograd F(2x2,3x3) for every 3x3 stride-1 conv";
            case "off" -> "winograd off (-Dvrfm.conv.winograd=off)";
            default -> "winograd F(2x2,3x3) for 3x3 stride-1 convs with >= " + WINOGRAD_MIN_PIXELS
                    + " output pixels and >= " + WINOGRAD_MIN_CHANNELS + " channels each side (weight gradient: >= "
                    + WINOGRAD_FILTER_MIN_CHANNELS + ")" + ("auto".equals(WINOGRAD) ? ""
                    : " [-Dvrfm.conv.winograd=" + WINOGRAD + " not understood, taken as auto; use auto, on or off]");
        };
    }

    static void im2col(float[] x, int xOff, ConvShape s, float[] col) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), w = s.w();
        int ohw = oh * ow;
        int row = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            int plane = xOff + ch * h * w;
            for (int a = 0; a < s.r(); a++) {
                for (int b = 0; b < s.s(); b++, row++) {
                    int dst = row * ohw;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s.stride() - s.pad() + a;
                        int d0 = dst + oy * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, d0, d0 + ow, 0f);
                            continue;
                        }
                        int src = plane + iy * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * s.stride() - s.pad() + b;
                            col[d0 + ox] = (ix >= 0 && ix < w) ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds the column matrix back into an image (the adjoint of {@link #im2col}). */
    static void col2imAdd(float[] col, ConvShape s, float[] gx, int gxOff) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), w = s.w();
        int ohw = oh * ow;
        int row = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            int plane = gxOff + ch * h * w;
            for (int a = 0; a < s.r(); a++) {
                for (int b = 0; b < s.s(); b++, row++) {
                    int src = row * ohw;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s.stride() - s.pad() + a;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int dst = plane + iy * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * s.stride() - s.pad() + b;
                            if (ix >= 0 && ix < w) {
                                gx[dst + ix] += col[src + oy * ow + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /** A 1×1 kernel, stride 1, no padding: the column matrix of an image is the image itself. */
    static boolean pointwise(ConvShape s) {
        return s.r() == 1 && s.s() == 1 && s.stride() == 1 && s.pad() == 0;
    }

    private static boolean perImage(ConvShape s, CpuParallel par) {
        return s.n() >= par.threads() && par.threads() > 1;
    }

    static void forward(float[] x, float[] wt, float[] y, ConvShape s, CpuParallel par) {
        if (winograd(s, false)) {
            ConvWinograd.forward(x, wt, y, s, par);
        } else if (shiftedForward(s)) {
            ConvShiftedGemm.forward(x, wt, y, s, par);
        } else {
            forwardIm2col(x, wt, y, s, par);
        }
    }

    static void backwardData(float[] gy, float[] wt, float[] gx, ConvShape s, CpuParallel par) {
        if (winograd(s, false)) {
            ConvWinograd.backwardData(gy, wt, gx, s, par);
        } else if (Sgemm.vectorized() && ConvShiftedGemm.handles(s, s.c(), true)) {
            ConvShiftedGemm.backwardData(gy, wt, gx, s, par);
        } else {
            backwardDataIm2col(gy, wt, gx, s, par);
        }
    }

    static void backwardFilter(float[] x, float[] gy, float[] gw, ConvShape s, CpuParallel par) {
        if (winograd(s, true)) {
            ConvWinograd.backwardFilter(x, gy, gw, s, par);
        } else if (Sgemm.vectorized() && ConvShiftedGemm.handles(s, s.k(), false)) {
            ConvShiftedGemm.backwardFilter(x, gy, gw, s, par);
        } else {
            backwardFilterIm2col(x, gy, gw, s, par);
        }
    }

    /** The forward pass by im2col + GEMM (a 1×1 stride-1 unpadded kernel: GEMM on the image), whatever the geometry. */
    static void forwardIm2col(float[] x, float[] wt, float[] y, ConvShape s, CpuParallel par) {
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        int inSize = s.c() * s.h() * s.w(), outSize = s.k() * ohw;
        CpuParallel serial = new CpuParallel(1);
        boolean split = perImage(s, par);
        CpuParallel inner = split ? serial : par;
        CpuParallel outer = split ? par : serial;
        boolean pointwise = pointwise(s);
        outer.forRange(s.n(), 1, (lo, hi) -> {
            float[] col = pointwise ? x : COL.get(crs * ohw);
            for (int img = lo; img < hi; img++) {
                int colOff = pointwise ? img * inSize : 0;
                if (!pointwise) {
                    im2col(x, img * inSize, s, col);
                }
                Sgemm.sgemm(false, false, s.k(), ohw, crs, 1f, wt, 0, crs, col, colOff, ohw, 0f, y, img * outSize, ohw,
                        inner);
            }
        });
    }

    /** The backward-data pass by GEMM + col2im, whatever the geometry. */
    static void backwardDataIm2col(float[] gy, float[] wt, float[] gx, ConvShape s, CpuParallel par) {
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        int inSize = s.c() * s.h() * s.w(), outSize = s.k() * ohw;
        CpuParallel serial = new CpuParallel(1);
        boolean split = perImage(s, par);
        CpuParallel inner = split ? serial : par;
        CpuParallel outer = split ? par : serial;
        boolean pointwise = pointwise(s);
        outer.forRange(s.n(), 1, (lo, hi) -> {
            float[] col = pointwise ? null : COL.get(crs * ohw);
            for (int img = lo; img < hi; img++) {
                if (pointwise) {   // the column matrix is the input gradient itself
                    Sgemm.sgemm(true, false, crs, ohw, s.k(), 1f, wt, 0, crs, gy, img * outSize, ohw, 0f, gx,
                            img * inSize, ohw, inner);
                    continue;
                }
                Sgemm.sgemm(true, false, crs, ohw, s.k(), 1f, wt, 0, crs, gy, img * outSize, ohw, 0f, col, 0, ohw, inner);
                java.util.Arrays.fill(gx, img * inSize, (img + 1) * inSize, 0f);
                col2imAdd(col, s, gx, img * inSize);
            }
        });
    }

    /** The backward-filter pass by im2col + GEMM, whatever the geometry. */
    static void backwardFilterIm2col(float[] x, float[] gy, float[] gw, ConvShape s, CpuParallel par) {
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        int inSize = s.c() * s.h() * s.w(), outSize = s.k() * ohw;
        int wSize = s.k() * crs;
        boolean split = perImage(s, par);
        int parts = split ? par.threads() : 1;
        float[][] partial = new float[parts][];
        CpuParallel serial = new CpuParallel(1);
        CpuParallel inner = split ? serial : par;
        int per = (s.n() + parts - 1) / parts;
        boolean pointwise = pointwise(s);
        (split ? par : serial).forRange(parts, 1, (lo, hi) -> {
            float[] col = pointwise ? x : COL.get(crs * ohw);
            for (int part = lo; part < hi; part++) {
                float[] acc = new float[wSize];
                for (int img = part * per; img < Math.min(s.n(), (part + 1) * per); img++) {
                    int colOff = pointwise ? img * inSize : 0;
                    if (!pointwise) {
                        im2col(x, img * inSize, s, col);
                    }
                    Sgemm.sgemm(false, true, s.k(), crs, ohw, 1f, gy, img * outSize, ohw, col, colOff, ohw, 1f, acc, 0,
                            crs, inner);
                }
                partial[part] = acc;
            }
        });
        java.util.Arrays.fill(gw, 0, wSize, 0f);
        for (float[] acc : partial) {
            for (int q = 0; q < wSize; q++) {
                gw[q] += acc[q];
            }
        }
    }
}
