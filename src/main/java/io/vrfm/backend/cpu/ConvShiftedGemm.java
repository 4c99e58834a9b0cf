package io.vrfm.backend.cpu;

import io.vrfm.backend.ConvShape;

import java.util.Arrays;

import static io.vrfm.backend.cpu.ConvKernels.MR;
import static io.vrfm.backend.cpu.ConvKernels.NR;

/**
 * Stride-1 convolution as an implicit GEMM over shifted windows of the zero-padded image, without an im2col
 * matrix. Each image is copied once into a zero-padded plane per channel ({@code (h+2·pad) × (w+2·pad)}, row
 * length {@code PW}); output pixel {@code (oy, ox)} is then "virtual pixel" {@code j = oy·PW + ox}, and the
 * input under kernel tap {@code (c, a, b)} is {@code padded[j + off(c,a,b)]} with {@code off = c·PH·PW + a·PW + b}:
 * one shift per tap, the same for every pixel. So the im2col column of a step is a contiguous run of the padded
 * image, and the micro-kernels of {@link ConvKernels} read it in place. The price is {@code PW - ow} wasted
 * virtual pixels per output row (2 of 30 at 28×28, pad 1), computed and dropped.
 * <ul>
 *   <li>Forward: {@code yᵀ[j, k] = Σ_p padded[j + off(p)] · w[k, p]}: six pixels × {@code NR} output channels
 *       per tile, the weight packed once per call into {@code NR}-column panels ({@link ConvKernels#shiftedRows});
 *       then {@code yᵀ} is written out without its wasted pixels.</li>
 *   <li>Backward data: the same product on the zero-padded output gradient ({@code pad' = r - 1 - pad}) with the
 *       weight flipped in both kernel axes and its channel axes swapped (a full correlation).</li>
 *   <li>Backward filter: {@code gwᵀ[p, k] = Σ_j padded[j + off(p)] · gyᵀ[j, k]}, six taps × {@code NR} output
 *       channels per tile, the output gradient transposed per image into {@code NR}-column panels with the wasted
 *       pixels zero ({@link ConvKernels#offsetRows}).</li>
 *   <li>Fewer output channels than a vector (a UNet's last convolution, to 3 or 1 channels): forward and backward
 *       filter turn the tile round, four channels as rows and the virtual pixels as lanes ({@link #narrow}); a
 *       panel of {@code NR} channels would be mostly padding, and im2col + GEMM ran such a convolution at 2-7
 *       GFLOP/s (the narrow tiles: 40-63, one thread).</li>
 * </ul>
 * The reduction is blocked into slices of {@link #KC} steps: the forward pass sums each element in the same order
 * as im2col + {@link Sgemm} with the 6×2 tile (the taps in order, 256 per slice, slices added in order); the
 * backward passes sum in another order than im2col + GEMM (backward data: over output channels then taps, not taps
 * then a col2im scatter; backward filter: per image in slices of 256 virtual pixels), so they agree with it to
 * float rounding. Images are split across workers when there are at least as many as workers, otherwise each
 * image's tiles are. Loaded only when {@code jdk.incubator.vector} is in the boot layer.
 */
final class ConvShiftedGemm {

    /** Steps per reduction slice: a slice of a packed panel ({@code KC × NR} floats, 16 KiB at NR 16) sits in L1. */
    static final int KC = 256;
    /** Below this many flops a pass runs on the calling thread. */
    private static final long PARALLEL_FLOPS = 1L << 21;

    /** Largest per-thread buffer kept between calls (floats). */
    private static final int KEPT = 1 << 22;
    private static final ThreadScratch PADDED = new ThreadScratch(KEPT), PRODUCT = new ThreadScratch(KEPT);

    private ConvShiftedGemm() {
    }

    /**
     * Whether this path computes a pass producing {@code columns} channels (the forward and backward-filter passes:
     * the output channels; backward data: the input channels) of a convolution with this geometry: stride 1,
     * not a 1×1 unpadded kernel (its column matrix is the image itself: a plain GEMM, measured 1.1-1.6x faster)
     * and, for backward data, at least one vector of columns (fewer would leave most of each panel padding) and a
     * padding no wider than the kernel less one (the full correlation's padding is then not negative). Forward and
     * backward filter take any number of channels: below a vector, on the narrow tiles ({@link #narrow}).
     */
    static boolean handles(ConvShape s, int columns, boolean backwardData) {
        return s.stride() == 1 && columns >= 1 && !CpuConv.pointwise(s) && (!backwardData
                || (columns >= SgemmKernels.L && s.pad() <= s.r() - 1 && s.pad() <= s.s() - 1));
    }

    /**
     * Whether a forward or backward-filter pass producing {@code columns} channels runs on the narrow tiles
     * ({@link ConvKernels#narrowPixels}, {@link ConvKernels#narrowTaps}): fewer channels than a vector, where a
     * column panel would be mostly padding.
     */
    static boolean narrow(int columns) {
        return columns < SgemmKernels.L;
    }

    /**
     * The geometry of one shifted product: {@code cin} channels of {@code h × w}, zero-padded by {@code padH, padW},
     * an {@code r × s} kernel, {@code cout} output channels.
     */
    private static final class Geometry {
        final int cin, h, w, padH, padW, r, s, cout;
        final int ph, pw, phw, oh, ow, ohw;
        /** Virtual pixels {@code oh·PW}, their slivers of {@link ConvKernels#MR}. */
        final int pixels, slivers;
        /** Reduction steps {@code cin·r·s}; column panels of {@link ConvKernels#NR}; their padded width. */
        final int steps, panels, kpad;
        /** Shift of each step (tap) into the padded image. */
        final int[] off;
        /** Virtual pixels rounded up to whole slivers, then to whole pairs of vectors (the narrow tiles' columns). */
        final int pixelsPad;
        /** Floats of the padded image, with the tail the last sliver (or narrow tile) reads past the planes. */
        final int paddedLength;

        Geometry(int cin, int h, int w, int padH, int padW, int r, int s, int cout) {
            this.cin = cin;
            this.h = h;
            this.w = w;
            this.padH = padH;
            this.padW = padW;
            this.r = r;
            this.s = s;
            this.cout = cout;
            ph = h + 2 * padH;
            pw = w + 2 * padW;
            phw = ph * pw;
            oh = ph - r + 1;
            ow = pw - s + 1;
            ohw = oh * ow;
            pixels = oh * pw;
            slivers = (pixels + MR - 1) / MR;
            steps = cin * r * s;
            panels = (cout + NR - 1) / NR;
            kpad = panels * NR;
            off = new int[steps];
            for (int c = 0, p = 0; c < cin; c++) {
                for (int a = 0; a < r; a++) {
                    for (int b = 0; b < s; b++, p++) {
                        off[p] = c * phw + a * pw + b;
                    }
                }
            }
            int pair = 2 * SgemmKernels.L;
            pixelsPad = (Math.max(slivers * MR, pixels) + pair - 1) / pair * pair;
            // the last tap's shift plus the last (padded) virtual pixel: cin·PHW + s - 1 + (pixelsPad - pixels)
            paddedLength = cin * phw + s - 1 + pixelsPad - pixels;
        }

        long flops() {
            return 2L * pixels * steps * kpad;
        }
    }

    /** {@code y = conv(x, w)}: x {@code [n, c, h, w]}, w {@code [k, c, r, s]}, y {@code [n, k, oh, ow]}. */
    static void forward(float[] x, float[] wt, float[] y, ConvShape s, CpuParallel par) {
        Geometry g = new Geometry(s.c(), s.h(), s.w(), s.pad(), s.pad(), s.r(), s.s(), s.k());
        if (narrow(g.cout)) {
            narrowForward(x, wt, y, s, g, par);
            return;
        }
        float[] bp = new float[g.panels * g.steps * NR];
        CpuParallel.forRangeOn(par, g.cout, packGrain(g.steps), (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                int dst = (k / NR) * g.steps * NR + k % NR;
                for (int p = 0; p < g.steps; p++) {
                    bp[dst + p * NR] = wt[k * g.steps + p];
                }
            }
        });
        product(x, s.c() * s.h() * s.w(), g, bp, y, s.k() * s.outH() * s.outW(), s.n(), par);
    }

    /** {@code gx = conv_backward_data(gy, w)}: the full correlation of gy with the flipped, transposed weight. */
    static void backwardData(float[] gy, float[] wt, float[] gx, ConvShape s, CpuParallel par) {
        int r = s.r(), ss = s.s(), c = s.c(), k = s.k();
        Geometry g = new Geometry(k, s.outH(), s.outW(), r - 1 - s.pad(), ss - 1 - s.pad(), r, ss, c);
        if (g.oh != s.h() || g.ow != s.w()) {
            throw new IllegalStateException("conv2d backward data: full correlation gives " + g.oh + "x" + g.ow
                    + " for input " + s.h() + "x" + s.w());
        }
        float[] bp = new float[g.panels * g.steps * NR];
        CpuParallel.forRangeOn(par, c, packGrain(g.steps), (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                int dst = (ch / NR) * g.steps * NR + ch % NR;
                for (int kk = 0, p = 0; kk < k; kk++) {
                    for (int a = 0; a < r; a++) {
                        for (int b = 0; b < ss; b++, p++) {
                            bp[dst + p * NR] = wt[((kk * c + ch) * r + (r - 1 - a)) * ss + (ss - 1 - b)];
                        }
                    }
                }
            }
        });
        product(gy, k * s.outH() * s.outW(), g, bp, gx, c * s.h() * s.w(), s.n(), par);
    }

    /** {@code out[img] = shifted product of in[img]} for every image, split across the workers. */
    private static void product(float[] in, int inSize, Geometry g, float[] bp, float[] out, int outSize, int n,
                                CpuParallel par) {
        int threads = par == null || g.flops() * n < PARALLEL_FLOPS ? 1 : par.threads();
        if (threads == 1) {
            for (int img = 0; img < n; img++) {
                productImage(in, img * inSize, g, bp, out, img * outSize, 0, g.slivers);
            }
        } else if (n >= threads) {
            par.forRange(n, 1, (lo, hi) -> {
                for (int img = lo; img < hi; img++) {
                    productImage(in, img * inSize, g, bp, out, img * outSize, 0, g.slivers);
                }
            });
        } else {
            int parts = Math.min(threads, g.slivers);
            par.forRange(n * parts, 1, (lo, hi) -> {
                for (int t = lo; t < hi; t++) {
                    int img = t / parts, part = t % parts;
                    productImage(in, img * inSize, g, bp, out, img * outSize,
                            (int) ((long) g.slivers * part / parts), (int) ((long) g.slivers * (part + 1) / parts));
                }
            });
        }
    }

    /** Slivers {@code [s0, s1)} of one image's shifted product, written into {@code out[outOff:]}. */
    private static void productImage(float[] in, int inOff, Geometry g, float[] bp, float[] out, int outOff,
                                     int s0, int s1) {
        float[] xp = pad(in, inOff, g);
        int kpad = g.kpad;
        float[] yt = PRODUCT.get(g.slivers * MR * kpad);
        for (int q = 0; q < g.panels; q++) {
            for (int p0 = 0; p0 < g.steps; p0 += KC) {
                int kc = Math.min(KC, g.steps - p0);
                int bo = (q * g.steps + p0) * NR;
                for (int sl = s0; sl < s1; sl++) {
                    ConvKernels.shiftedRows(kc, xp, sl * MR, g.off, p0, bp, bo, yt, sl * MR * kpad + q * NR, kpad,
                            p0 == 0);
                }
            }
        }
        // yᵀ back to channel-major, dropping the wasted pixels: the part of each output row in pixels [j0, j1),
        // four channels at a time (contiguous stores; about 20% faster than one channel or one pixel at a time)
        int j0 = s0 * MR, j1 = Math.min(g.pixels, s1 * MR), pw = g.pw, ow = g.ow, ohw = g.ohw, cout = g.cout;
        for (int oy = j0 / pw; oy * pw < j1; oy++) {
            int xLo = Math.max(0, j0 - oy * pw), xHi = Math.min(ow, j1 - oy * pw);
            int k = 0;
            for (; k + 4 <= cout; k += 4) {
                int o = outOff + k * ohw + oy * ow;
                for (int ox = xLo, t = (oy * pw + xLo) * kpad + k; ox < xHi; ox++, t += kpad) {
                    out[o + ox] = yt[t];
                    out[o + ohw + ox] = yt[t + 1];
                    out[o + 2 * ohw + ox] = yt[t + 2];
                    out[o + 3 * ohw + ox] = yt[t + 3];
                }
            }
            for (; k < cout; k++) {
                int o = outOff + k * ohw + oy * ow;
                for (int ox = xLo, t = (oy * pw + xLo) * kpad + k; ox < xHi; ox++, t += kpad) {
                    out[o + ox] = yt[t];
                }
            }
        }
    }

    /** The image at {@code in[inOff:]} zero-padded into this thread's padded buffer (tail zeroed too). */
    private static float[] pad(float[] in, int inOff, Geometry g) {
        float[] xp = PADDED.get(g.paddedLength);
        int pw = g.pw, w = g.w;
        for (int c = 0; c < g.cin; c++) {
            int plane = c * g.phw, src = inOff + c * g.h * w;
            Arrays.fill(xp, plane, plane + g.padH * pw, 0f);
            for (int iy = 0; iy < g.h; iy++) {
                int row = plane + (iy + g.padH) * pw;
                Arrays.fill(xp, row, row + g.padW, 0f);
                System.arraycopy(in, src + iy * w, xp, row + g.padW, w);
                Arrays.fill(xp, row + g.padW + w, row + pw, 0f);
            }
            Arrays.fill(xp, plane + (g.h + g.padH) * pw, plane + g.phw, 0f);
        }
        Arrays.fill(xp, g.cin * g.phw, g.paddedLength, 0f);
        return xp;
    }

    /** {@code gw = conv_backward_filter(x, gy)}, summed over the batch. */
    static void backwardFilter(float[] x, float[] gy, float[] gw, ConvShape s, CpuParallel par) {
        Geometry g = new Geometry(s.c(), s.h(), s.w(), s.pad(), s.pad(), s.r(), s.s(), s.k());
        if (narrow(g.cout)) {
            narrowFilter(x, gy, gw, s, g, par);
            return;
        }
        int n = s.n(), inSize = s.c() * s.h() * s.w(), outSize = s.k() * g.ohw;
        int rowSlivers = (g.steps + MR - 1) / MR, accSize = rowSlivers * MR * g.kpad;
        int threads = par == null || g.flops() * n < PARALLEL_FLOPS ? 1 : par.threads();
        float[][] partial;
        if (threads == 1) {
            partial = new float[][] {new float[accSize]};
            for (int img = 0; img < n; img++) {
                filterImage(x, img * inSize, gy, img * outSize, g, partial[0], 0, rowSlivers);
            }
        } else if (n >= threads) {
            partial = new float[threads][];
            int per = (n + threads - 1) / threads;
            par.forRange(threads, 1, (lo, hi) -> {
                for (int part = lo; part < hi; part++) {
                    float[] acc = new float[accSize];
                    for (int img = part * per; img < Math.min(n, (part + 1) * per); img++) {
                        filterImage(x, img * inSize, gy, img * outSize, g, acc, 0, rowSlivers);
                    }
                    partial[part] = acc;
                }
            });
        } else {
            float[] acc = new float[accSize];
            partial = new float[][] {acc};
            par.forRange(rowSlivers, 1, (lo, hi) -> {
                for (int img = 0; img < n; img++) {
                    filterImage(x, img * inSize, gy, img * outSize, g, acc, lo, hi);
                }
            });
        }
        CpuParallel.forRangeOn(threads == 1 ? null : par, g.cout, packGrain(g.steps), (lo, hi) -> {
            Arrays.fill(gw, lo * g.steps, hi * g.steps, 0f);
            for (float[] acc : partial) {
                if (acc == null) {
                    continue;
                }
                for (int k = lo; k < hi; k++) {
                    int dst = k * g.steps;
                    for (int p = 0; p < g.steps; p++) {
                        gw[dst + p] += acc[p * g.kpad + k];
                    }
                }
            }
        });
    }

    /**
     * Channels per chunk where a pass's weight is packed (or its gradient gathered) on every worker, each channel
     * {@code steps} scattered floats (on the calling thread alone, with {@link ConvWinograd}'s weight transforms,
     * 9-15 ms of a small UNet's 210-370 ms training step, the other worker idle).
     */
    private static int packGrain(int steps) {
        return Math.max(1, 4096 / steps);
    }

    /** {@code acc[p, k] += Σ_j padded x[j + off(p)] · gy[k, j]} for one image, row slivers {@code [r0, r1)}. */
    private static void filterImage(float[] x, int xOff, float[] gy, int gyOff, Geometry g, float[] acc,
                                    int r0, int r1) {
        float[] xp = pad(x, xOff, g);
        int pixels = g.pixels, pw = g.pw, ow = g.ow;
        // gyᵀ in NR-column panels: gt[q·pixels·NR + j·NR + (k mod NR)], zero on wasted pixels and padded channels
        float[] gt = PRODUCT.get(g.panels * pixels * NR);
        int ohw = g.ohw, cout = g.cout;
        int k = 0;
        for (; k + 4 <= cout && (k + 3) / NR == k / NR; k += 4) {   // four channels at a time, within one panel
            int base = (k / NR) * pixels * NR + k % NR, src = gyOff + k * ohw;
            for (int oy = 0; oy < g.oh; oy++) {
                for (int ox = 0, d = base + oy * pw * NR, sr = src + oy * ow; ox < ow; ox++, d += NR) {
                    gt[d] = gy[sr + ox];
                    gt[d + 1] = gy[sr + ohw + ox];
                    gt[d + 2] = gy[sr + 2 * ohw + ox];
                    gt[d + 3] = gy[sr + 3 * ohw + ox];
                }
            }
        }
        for (; k < g.kpad; k++) {
            int base = (k / NR) * pixels * NR + k % NR, src = gyOff + k * ohw;
            for (int oy = 0; oy < g.oh; oy++) {
                for (int ox = 0, d = base + oy * pw * NR, sr = src + oy * ow; ox < ow; ox++, d += NR) {
                    gt[d] = k < cout ? gy[sr + ox] : 0f;
                }
            }
        }
        for (int q = 0; q < g.panels; q++) {
            for (int oy = 0; oy < g.oh; oy++) {
                int d = (q * pixels + oy * pw) * NR;
                Arrays.fill(gt, d + ow * NR, d + pw * NR, 0f);
            }
        }
        int last = g.steps - 1, kpad = g.kpad;
        int[] off = g.off;
        for (int q = 0; q < g.panels; q++) {
            for (int j0 = 0; j0 < pixels; j0 += KC) {
                int kc = Math.min(KC, pixels - j0);
                int bo = (q * pixels + j0) * NR;
                for (int rs = r0; rs < r1; rs++) {
                    int p = rs * MR;
                    ConvKernels.offsetRows(kc, xp, off[p] + j0, off[Math.min(p + 1, last)] + j0,
                            off[Math.min(p + 2, last)] + j0, off[Math.min(p + 3, last)] + j0,
                            off[Math.min(p + 4, last)] + j0, off[Math.min(p + 5, last)] + j0,
                            gt, bo, acc, p * kpad + q * NR, kpad, false);
                }
            }
        }
    }


    // ---- fewer output channels than a vector -----------------------------------------------------------------------

    /**
     * The forward pass on the narrow tiles: per image, groups of {@link ConvKernels#NARROW_ROWS} output channels
     * (the last group's missing channels have zero weights) × pairs of pixel vectors; then each channel's rows are
     * copied out without their wasted pixels. Images are split across the workers when there are enough of them,
     * otherwise each image's pixels are.
     */
    private static void narrowForward(float[] x, float[] wt, float[] y, ConvShape s, Geometry g, CpuParallel par) {
        int rows = ConvKernels.NARROW_ROWS, groups = (g.cout + rows - 1) / rows, steps = g.steps;
        float[] wp = new float[groups * steps * rows];   // wp[(q·steps + p)·4 + r] = w[4q + r, p]
        for (int k = 0; k < g.cout; k++) {
            for (int p = 0; p < steps; p++) {
                wp[((k / rows) * steps + p) * rows + k % rows] = wt[k * steps + p];
            }
        }
        int n = s.n(), inSize = s.c() * s.h() * s.w(), outSize = s.k() * g.ohw;
        int tiles = g.pixelsPad / (2 * SgemmKernels.L);
        long flops = 2L * g.pixelsPad * steps * groups * rows * n;
        int threads = par == null || flops < PARALLEL_FLOPS ? 1 : par.threads();
        int parts = n >= threads ? 1 : Math.min(threads, tiles);
        CpuParallel.RangeBody body = (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int img = t / parts, part = t % parts;
                narrowImage(x, img * inSize, g, wp, groups, y, img * outSize,
                        (int) ((long) tiles * part / parts), (int) ((long) tiles * (part + 1) / parts));
            }
        };
        if (threads == 1) {
            body.run(0, n * parts);
        } else {
            par.forRange(n * parts, 1, body);
        }
    }

    /** Narrow tiles {@code [t0, t1)} (2L virtual pixels each) of one image, every channel group, into {@code out}. */
    private static void narrowImage(float[] in, int inOff, Geometry g, float[] wp, int groups, float[] out,
                                    int outOff, int t0, int t1) {
        float[] xp = pad(in, inOff, g);
        int rows = ConvKernels.NARROW_ROWS, width = 2 * SgemmKernels.L, ld = g.pixelsPad;
        float[] yt = PRODUCT.get(rows * ld);
        int j0 = t0 * width, j1 = Math.min(g.pixels, t1 * width), pw = g.pw, ow = g.ow, ohw = g.ohw;
        for (int q = 0; q < groups; q++) {
            for (int t = t0; t < t1; t++) {
                ConvKernels.narrowPixels(g.steps, xp, t * width, g.off, wp, q * g.steps * rows, yt, t * width, ld);
            }
            for (int r = 0; r < rows && q * rows + r < g.cout; r++) {
                int o = outOff + (q * rows + r) * ohw;
                for (int oy = j0 / pw; oy * pw < j1; oy++) {
                    int xLo = Math.max(0, j0 - oy * pw), xHi = Math.min(ow, j1 - oy * pw);
                    if (xHi > xLo) {
                        System.arraycopy(yt, r * ld + oy * pw + xLo, out, o + oy * ow + xLo, xHi - xLo);
                    }
                }
            }
        }
    }

    /**
     * The backward-filter pass on the narrow tiles: per image, the output gradient laid out by virtual pixel (zero
     * on wasted pixels and missing channels), then groups of {@link ConvKernels#NARROW_ROWS} channels × pairs of
     * taps summed over the image's pixels. Each image's sums are kept apart and added in image order, so the bits
     * do not depend on how many workers ran.
     */
    private static void narrowFilter(float[] x, float[] gy, float[] gw, ConvShape s, Geometry g, CpuParallel par) {
        int rows = ConvKernels.NARROW_ROWS, groups = (g.cout + rows - 1) / rows;
        int n = s.n(), inSize = s.c() * s.h() * s.w(), outSize = s.k() * g.ohw;
        int stepsPad = (g.steps + 1) / 2 * 2, accSize = groups * rows * stepsPad;
        float[][] partial = new float[n][];
        long flops = 2L * g.pixelsPad * g.steps * groups * rows * n;
        CpuParallel.RangeBody body = (lo, hi) -> {
            for (int img = lo; img < hi; img++) {
                float[] acc = new float[accSize];
                narrowFilterImage(x, img * inSize, gy, img * outSize, g, groups, stepsPad, acc);
                partial[img] = acc;
            }
        };
        if (par == null || par.threads() == 1 || flops < PARALLEL_FLOPS) {
            body.run(0, n);
        } else {
            par.forRange(n, 1, body);
        }
        Arrays.fill(gw, 0, g.cout * g.steps, 0f);
        for (float[] acc : partial) {
            for (int k = 0; k < g.cout; k++) {
                for (int p = 0; p < g.steps; p++) {
                    gw[k * g.steps + p] += acc[k * stepsPad + p];
                }
            }
        }
    }

    /** {@code acc[k·stepsPad + p] = Σ_j padded x[j + off(p)] · gy[k, j]} for one image. */
    private static void narrowFilterImage(float[] x, int xOff, float[] gy, int gyOff, Geometry g, int groups,
                                          int stepsPad, float[] acc) {
        float[] xp = pad(x, xOff, g);
        int rows = ConvKernels.NARROW_ROWS, ld = g.pixelsPad, pw = g.pw, ow = g.ow, ohw = g.ohw;
        float[] gv = PRODUCT.get(groups * rows * ld);
        Arrays.fill(gv, 0, groups * rows * ld, 0f);
        for (int k = 0; k < g.cout; k++) {
            for (int oy = 0; oy < g.oh; oy++) {
                System.arraycopy(gy, gyOff + k * ohw + oy * ow, gv, k * ld + oy * pw, ow);
            }
        }
        int last = g.steps - 1;
        int[] off = g.off;
        for (int q = 0; q < groups; q++) {
            for (int p = 0; p < g.steps; p += 2) {   // an odd last tap is paired with itself; its twin lands in padding
                ConvKernels.narrowTaps(ld, xp, off[p], off[Math.min(p + 1, last)], gv, q * rows * ld, ld, acc,
                        q * rows * stepsPad + p, stepsPad);
            }
        }
    }

}
