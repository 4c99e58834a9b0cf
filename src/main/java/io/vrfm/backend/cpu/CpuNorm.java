package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;

import static io.vrfm.backend.cpu.CpuBackend.GRAIN;
import static io.vrfm.backend.cpu.CpuBuffer.d;

/**
 * CPU twin of {@code kernels/norm.cu}. Layer norm and group norm, forward and backward (statistics in double,
 * per-element scaling in float). One
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
                double mu = PartialSums.sum(xs, base, cols) / cols;
                double inv = 1.0 / Math.sqrt(PartialSums.sumSquaredDeviations(xs, base, cols, mu) / cols + eps);
                float muF = (float) mu, invF = (float) inv;
                ms[r] = muF;
                rs[r] = invF;
                // float per element (a loop C2 vectorises), x − μ first
                if (g == null && b == null) {
                    for (int q = 0; q < cols; q++) ys[base + q] = (xs[base + q] - muF) * invF;
                } else if (b == null) {
                    for (int q = 0; q < cols; q++) ys[base + q] = (xs[base + q] - muF) * invF * g[q];
                } else if (g == null) {
                    for (int q = 0; q < cols; q++) ys[base + q] = (xs[base + q] - muF) * invF + b[q];
                } else {
                    for (int q = 0; q < cols; q++) ys[base + q] = (xs[base + q] - muF) * invF * g[q] + b[q];
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
                float muF = ms[r];
                double inv = rs[r];
                // Σ dy and Σ dy·(x − μ) with dy = gy·γ, four partial double sums each
                double d0 = 0, d1 = 0, d2 = 0, d3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
                int q = 0;
                for (; q + 4 <= cols; q += 4) {
                    int i = base + q;
                    double y0 = g == null ? gys[i] : gys[i] * g[q], y1 = g == null ? gys[i + 1] : gys[i + 1] * g[q + 1];
                    double y2 = g == null ? gys[i + 2] : gys[i + 2] * g[q + 2], y3 = g == null ? gys[i + 3] : gys[i + 3] * g[q + 3];
                    d0 += y0;
                    d1 += y1;
                    d2 += y2;
                    d3 += y3;
                    e0 += y0 * (xs[i] - muF);
                    e1 += y1 * (xs[i + 1] - muF);
                    e2 += y2 * (xs[i + 2] - muF);
                    e3 += y3 * (xs[i + 3] - muF);
                }
                for (; q < cols; q++) {
                    double y0 = g == null ? gys[base + q] : gys[base + q] * g[q];
                    d0 += y0;
                    e0 += y0 * (xs[base + q] - muF);
                }
                double mDy = ((d0 + d1) + (d2 + d3)) / cols, mDyXh = ((e0 + e1) + (e2 + e3)) * inv / cols;
                // gx = inv·(dy − mean(dy) − x̂·mean(dy·x̂)) = inv·dy + bx·(x − μ) + k, in float per element
                float invF = (float) inv, bx = (float) (-inv * inv * mDyXh), k = (float) (-inv * mDy);
                if (g == null) {
                    for (q = 0; q < cols; q++) gxs[base + q] = invF * gys[base + q] + bx * (xs[base + q] - muF) + k;
                } else {
                    for (q = 0; q < cols; q++) gxs[base + q] = invF * (gys[base + q] * g[q]) + bx * (xs[base + q] - muF) + k;
                }
            }
        });
        if (gg != null || gb != null) {
            // column sums over the rows, row by row over a chunk of columns (contiguous reads), in double
            int chunk = 64;
            par.forRange((cols + chunk - 1) / chunk, 1, (lo, hi) -> {
                double[] sg = new double[chunk], sb = new double[chunk];
                for (int cb = lo; cb < hi; cb++) {
                    int q0 = cb * chunk, len = Math.min(chunk, cols - q0);
                    java.util.Arrays.fill(sg, 0.0);
                    java.util.Arrays.fill(sb, 0.0);
                    for (int r = 0; r < rows; r++) {
                        int i0 = r * cols + q0;
                        double mu = ms[r], inv = rs[r];
                        for (int j = 0; j < len; j++) {
                            sg[j] += gys[i0 + j] * ((xs[i0 + j] - mu) * inv);
                            sb[j] += gys[i0 + j];
                        }
                    }
                    for (int j = 0; j < len; j++) {
                        if (gg != null) gg[q0 + j] = (float) sg[j];
                        if (gb != null) gb[q0 + j] = (float) sb[j];
                    }
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
                double mu = PartialSums.sum(xs, base, groupSize) / groupSize;
                double inv = 1.0 / Math.sqrt(PartialSums.sumSquaredDeviations(xs, base, groupSize, mu) / groupSize + eps);
                float muF = (float) mu;
                ms[ng] = muF;
                rs[ng] = (float) inv;
                int c0 = (ng % groups) * cpg;
                for (int ch = 0; ch < cpg; ch++) {
                    // float per element ((x − μ)·scale + shift, a loop C2 vectorises); x − μ first, so a large mean
                    // with a small spread does not cancel
                    float scale = (float) (inv * (g == null ? 1.0 : g[c0 + ch])), shift = b == null ? 0f : b[c0 + ch];
                    int off = base + ch * hw;
                    for (int p = off; p < off + hw; p++) {
                        ys[p] = (xs[p] - muF) * scale + shift;
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
        // per image and channel: Σ gy and Σ gy·(x − μ), in double; they give both the input gradient and, summed over
        // the images, γ's and β's gradients (no second pass over the data)
        double[] sumGy = new double[n * c], sumGyXc = new double[n * c];
        par.forRange(n * groups, Math.max(1, GRAIN / Math.max(1, groupSize)), (lo, hi) -> {
            for (int ng = lo; ng < hi; ng++) {
                int base = ng * groupSize;
                float muF = ms[ng];
                double inv = rs[ng];
                int c0 = (ng % groups) * cpg, nc0 = (ng / groups) * c + c0;
                double sumDy = 0, sumDyXh = 0;
                for (int ch = 0; ch < cpg; ch++) {
                    double gm = g == null ? 1.0 : g[c0 + ch];
                    int off = base + ch * hw;
                    double sg = PartialSums.sum(gys, off, hw), sgx = PartialSums.sumProductCentred(gys, xs, off, hw, muF);
                    sumGy[nc0 + ch] = sg;
                    sumGyXc[nc0 + ch] = sgx;
                    sumDy += gm * sg;
                    sumDyXh += gm * sgx * inv;
                }
                double mDy = sumDy / groupSize, mDyXh = sumDyXh / groupSize;
                // gx = inv·(gy·γ − mean(dy) − x̂·mean(dy·x̂)) = a·gy + b·(x − μ) + k, in float per element
                float b = (float) (-inv * inv * mDyXh), k = (float) (-inv * mDy);
                for (int ch = 0; ch < cpg; ch++) {
                    float a = (float) (inv * (g == null ? 1.0 : g[c0 + ch]));
                    int off = base + ch * hw;
                    for (int p = off; p < off + hw; p++) {
                        gxs[p] = a * gys[p] + b * (xs[p] - muF) + k;
                    }
                }
            }
        });
        if (gg != null || gb != null) {
            for (int ch = 0; ch < c; ch++) {
                double sg = 0, sb = 0;
                int grp = ch / cpg;
                for (int img = 0; img < n; img++) {
                    sg += sumGyXc[img * c + ch] * rs[img * groups + grp];
                    sb += sumGy[img * c + ch];
                }
                if (gg != null) gg[ch] = (float) sg;
                if (gb != null) gb[ch] = (float) sb;
            }
        }
    }
}
