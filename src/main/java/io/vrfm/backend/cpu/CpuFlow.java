package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;

import static io.vrfm.backend.cpu.CpuBackend.GRAIN;
import static io.vrfm.backend.cpu.CpuBuffer.d;
import static io.vrfm.backend.cpu.CpuBuffer.i;

/**
 * CPU twin of {@code kernels/flow.cu}. The fused flow-matching primitives: MSE loss, reparameterization, Gaussian
 * KL, interpolation and the Euler step. One static method per {@link io.vrfm.backend.Backend} primitive, named
 * alike; {@link CpuBackend} delegates here.
 */
final class CpuFlow {
    private CpuFlow() {
    }

    static void mse(Buffer a, Buffer b, Buffer out, long n, CpuParallel par) {
        float[] as = d(a), bs = d(b);
        int len = i(n);
        double s = 0;
        for (int k = 0; k < len; k++) {
            double t = as[k] - bs[k];
            s += t * t;
        }
        d(out)[0] = (float) (s / len);
    }

    static void mseBackward(Buffer a, Buffer b, Buffer gOut, Buffer ga, long n, CpuParallel par) {
        float[] as = d(a), bs = d(b), gs = d(ga);
        float scale = 2f * d(gOut)[0] / n;
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) gs[k] = scale * (as[k] - bs[k]);
        });
    }

    static void reparameterize(Buffer mu, Buffer logvar, Buffer eps, Buffer z, long n, CpuParallel par) {
        float[] m = d(mu), lv = d(logvar), e = d(eps), zs = d(z);
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) zs[k] = m[k] + (float) Math.exp(0.5f * lv[k]) * e[k];
        });
    }

    static void reparameterizeBackward(Buffer logvar, Buffer eps, Buffer gz, Buffer gMu, Buffer gLogvar, long n, CpuParallel par) {
        float[] lv = d(logvar), e = d(eps), g = d(gz), gm = d(gMu), gl = d(gLogvar);
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                gm[k] = g[k];
                gl[k] = g[k] * 0.5f * (float) Math.exp(0.5f * lv[k]) * e[k];
            }
        });
    }

    static void gaussianKl(Buffer mu, Buffer logvar, Buffer kl, int rows, int cols, CpuParallel par) {
        float[] m = d(mu), lv = d(logvar), out = d(kl);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                double s = 0;
                for (int q = r * cols; q < (r + 1) * cols; q++) {
                    s += 1.0 + lv[q] - (double) m[q] * m[q] - Math.exp(lv[q]);
                }
                out[r] = (float) (-0.5 * s);
            }
        });
    }

    static void gaussianKlBackward(Buffer mu, Buffer logvar, Buffer gKl, Buffer gMu, Buffer gLogvar, int rows, int cols, CpuParallel par) {
        float[] m = d(mu), lv = d(logvar), g = d(gKl), gm = d(gMu), gl = d(gLogvar);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                for (int q = r * cols; q < (r + 1) * cols; q++) {
                    gm[q] = g[r] * m[q];
                    gl[q] = g[r] * 0.5f * ((float) Math.exp(lv[q]) - 1f);
                }
            }
        });
    }

    static void interpolate(Buffer x0, Buffer x1, Buffer t, Buffer xt, Buffer target, int rows, int cols, CpuParallel par) {
        float[] a = d(x0), b = d(x1), ts = d(t), xo = d(xt), to = d(target);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                float tt = ts[r];
                for (int q = r * cols; q < (r + 1) * cols; q++) {
                    xo[q] = (1f - tt) * a[q] + tt * b[q];
                    to[q] = b[q] - a[q];
                }
            }
        });
    }

    static void eulerStep(Buffer x, Buffer v, float dt, Buffer noise, float noiseScale, long n, CpuParallel par) {
        float[] xs = d(x), vs = d(v), ns = d(noise);
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            if (ns == null) {
                for (int k = lo; k < hi; k++) xs[k] += dt * vs[k];
            } else {
                for (int k = lo; k < hi; k++) xs[k] += dt * vs[k] + noiseScale * ns[k];
            }
        });
    }
}
