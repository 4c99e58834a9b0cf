package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;

import static io.vrfm.backend.cpu.CpuBackend.GRAIN;
import static io.vrfm.backend.cpu.CpuBuffer.d;

/**
 * CPU twin of {@code kernels/norm.cu}. Layer norm and group norm, forward and backward (statistics in double). One
 * static method per {@link io.vrfm.backend.Backend} primitive, named alike; {@link CpuBackend} delegates here.
 */
final class CpuNorm {
    private CpuNorm() {
    }

    static void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                          int rows, int cols, float eps, CpuParallel par) {
        float[] xs = d(x), g = d(gamma), b = d(beta), ys = d(y), ms = d(mean), rs = d(rstd);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * cols;
                double s = 0;
                for (int q = 0; q < cols; q++) s += xs[base + q];
                double mu = s / cols;
                double v = 0;
                for (int q = 0; q < cols; q++) {
                    double t = xs[base + q] - mu;
                    v += t * t;
                }
                double inv = 1.0 / Math.sqrt(v / cols + eps);
                ms[r] = (float) mu;
                rs[r] = (float) inv;
                for (int q = 0; q < cols; q++) {
                    double xh = (xs[base + q] - mu) * inv;
                    ys[base + q] = (float) ((g == null ? xh : xh * g[q]) + (b == null ? 0 : b[q]));
                }
            }
        });
    }

    static void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int rows, int cols, CpuParallel par) {
        float[] xs = d(x), g = d(gamma), ms = d(mean), rs = d(rstd), gys = d(gy), gxs = d(gx);
        float[] gg = d(gGamma), gb = d(gBeta);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * cols;
                double mu = ms[r], inv = rs[r];
                double sumDy = 0, sumDyXh = 0;
                for (int q = 0; q < cols; q++) {
                    double dy = gys[base + q] * (g == null ? 1.0 : g[q]);
                    double xh = (xs[base + q] - mu) * inv;
                    sumDy += dy;
                    sumDyXh += dy * xh;
                }
                double mDy = sumDy / cols, mDyXh = sumDyXh / cols;
                for (int q = 0; q < cols; q++) {
                    double dy = gys[base + q] * (g == null ? 1.0 : g[q]);
                    double xh = (xs[base + q] - mu) * inv;
                    gxs[base + q] = (float) (inv * (dy - mDy - xh * mDyXh));
                }
            }
        });
        if (gg != null || gb != null) {
            par.forRange(cols, 64, (lo, hi) -> {
                for (int q = lo; q < hi; q++) {
                    double sg = 0, sb = 0;
                    for (int r = 0; r < rows; r++) {
                        double xh = (xs[r * cols + q] - ms[r]) * rs[r];
                        sg += gys[r * cols + q] * xh;
                        sb += gys[r * cols + q];
                    }
                    if (gg != null) gg[q] = (float) sg;
                    if (gb != null) gb[q] = (float) sb;
                }
            });
        }
    }

    static void groupNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                          int n, int c, int hw, int groups, float eps, CpuParallel par) {
        float[] xs = d(x), g = d(gamma), b = d(beta), ys = d(y), ms = d(mean), rs = d(rstd);
        int cpg = c / groups;
        int groupSize = cpg * hw;
        par.forRange(n * groups, Math.max(1, GRAIN / Math.max(1, groupSize)), (lo, hi) -> {
            for (int ng = lo; ng < hi; ng++) {
                int base = ng * groupSize;
                double s = 0;
                for (int q = 0; q < groupSize; q++) s += xs[base + q];
                double mu = s / groupSize;
                double v = 0;
                for (int q = 0; q < groupSize; q++) {
                    double t = xs[base + q] - mu;
                    v += t * t;
                }
                double inv = 1.0 / Math.sqrt(v / groupSize + eps);
                ms[ng] = (float) mu;
                rs[ng] = (float) inv;
                int c0 = (ng % groups) * cpg;
                for (int ch = 0; ch < cpg; ch++) {
                    double gm = g == null ? 1.0 : g[c0 + ch], bt = b == null ? 0.0 : b[c0 + ch];
                    int off = base + ch * hw;
                    for (int p = 0; p < hw; p++) {
                        ys[off + p] = (float) ((xs[off + p] - mu) * inv * gm + bt);
                    }
                }
            }
        });
    }

    static void groupNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, int groups, CpuParallel par) {
        float[] xs = d(x), g = d(gamma), ms = d(mean), rs = d(rstd), gys = d(gy), gxs = d(gx);
        float[] gg = d(gGamma), gb = d(gBeta);
        int cpg = c / groups;
        int groupSize = cpg * hw;
        par.forRange(n * groups, Math.max(1, GRAIN / Math.max(1, groupSize)), (lo, hi) -> {
            for (int ng = lo; ng < hi; ng++) {
                int base = ng * groupSize;
                double mu = ms[ng], inv = rs[ng];
                int c0 = (ng % groups) * cpg;
                double sumDy = 0, sumDyXh = 0;
                for (int ch = 0; ch < cpg; ch++) {
                    double gm = g == null ? 1.0 : g[c0 + ch];
                    int off = base + ch * hw;
                    for (int p = 0; p < hw; p++) {
                        double dy = gys[off + p] * gm;
                        sumDy += dy;
                        sumDyXh += dy * (xs[off + p] - mu) * inv;
                    }
                }
                double mDy = sumDy / groupSize, mDyXh = sumDyXh / groupSize;
                for (int ch = 0; ch < cpg; ch++) {
                    double gm = g == null ? 1.0 : g[c0 + ch];
                    int off = base + ch * hw;
                    for (int p = 0; p < hw; p++) {
                        double xh = (xs[off + p] - mu) * inv;
                        gxs[off + p] = (float) (inv * (gys[off + p] * gm - mDy - xh * mDyXh));
                    }
                }
            }
        });
        if (gg != null || gb != null) {
            par.forRange(c, 1, (lo, hi) -> {
                for (int ch = lo; ch < hi; ch++) {
                    double sg = 0, sb = 0;
                    int grp = ch / cpg;
                    for (int img = 0; img < n; img++) {
                        double mu = ms[img * groups + grp], inv = rs[img * groups + grp];
                        int off = (img * c + ch) * hw;
                        for (int p = 0; p < hw; p++) {
                            sg += gys[off + p] * (xs[off + p] - mu) * inv;
                            sb += gys[off + p];
                        }
                    }
                    if (gg != null) gg[ch] = (float) sg;
                    if (gb != null) gb[ch] = (float) sb;
                }
            });
        }
    }
}
