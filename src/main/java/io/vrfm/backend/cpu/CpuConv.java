package io.vrfm.backend.cpu;

import io.vrfm.backend.ConvShape;

/**
 * 2-D convolution on the CPU by im2col + GEMM: per image, the input is unfolded into a {@code [c·r·s, oh·ow]}
 * column matrix and multiplied by the {@code [k, c·r·s]} weight. Images are split across cores when the batch is
 * large enough; otherwise each GEMM uses every core.
 */
final class CpuConv {
    private CpuConv() {
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

    private static boolean perImage(ConvShape s, CpuParallel par) {
        return s.n() >= par.threads() && par.threads() > 1;
    }

    static void forward(float[] x, float[] wt, float[] y, ConvShape s, CpuParallel par) {
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        int inSize = s.c() * s.h() * s.w(), outSize = s.k() * ohw;
        CpuParallel serial = new CpuParallel(1);
        boolean split = perImage(s, par);
        CpuParallel inner = split ? serial : par;
        CpuParallel outer = split ? par : serial;
        outer.forRange(s.n(), 1, (lo, hi) -> {
            float[] col = new float[crs * ohw];
            for (int img = lo; img < hi; img++) {
                im2col(x, img * inSize, s, col);
                Sgemm.sgemm(false, false, s.k(), ohw, crs, 1f, wt, 0, crs, col, 0, ohw, 0f, y, img * outSize, ohw, inner);
            }
        });
    }

    static void backwardData(float[] gy, float[] wt, float[] gx, ConvShape s, CpuParallel par) {
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        int inSize = s.c() * s.h() * s.w(), outSize = s.k() * ohw;
        CpuParallel serial = new CpuParallel(1);
        boolean split = perImage(s, par);
        CpuParallel inner = split ? serial : par;
        CpuParallel outer = split ? par : serial;
        outer.forRange(s.n(), 1, (lo, hi) -> {
            float[] col = new float[crs * ohw];
            for (int img = lo; img < hi; img++) {
                Sgemm.sgemm(true, false, crs, ohw, s.k(), 1f, wt, 0, crs, gy, img * outSize, ohw, 0f, col, 0, ohw, inner);
                java.util.Arrays.fill(gx, img * inSize, (img + 1) * inSize, 0f);
                col2imAdd(col, s, gx, img * inSize);
            }
        });
    }

    static void backwardFilter(float[] x, float[] gy, float[] gw, ConvShape s, CpuParallel par) {
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        int inSize = s.c() * s.h() * s.w(), outSize = s.k() * ohw;
        int wSize = s.k() * crs;
        boolean split = perImage(s, par);
        int parts = split ? par.threads() : 1;
        float[][] partial = new float[parts][];
        CpuParallel serial = new CpuParallel(1);
        CpuParallel inner = split ? serial : par;
        int per = (s.n() + parts - 1) / parts;
        (split ? par : serial).forRange(parts, 1, (lo, hi) -> {
            float[] col = new float[crs * ohw];
            for (int part = lo; part < hi; part++) {
                float[] acc = new float[wSize];
                for (int img = part * per; img < Math.min(s.n(), (part + 1) * per); img++) {
                    im2col(x, img * inSize, s, col);
                    Sgemm.sgemm(false, true, s.k(), crs, ohw, 1f, gy, img * outSize, ohw, col, 0, ohw, 1f, acc, 0, crs, inner);
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
