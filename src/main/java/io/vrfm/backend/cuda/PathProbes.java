package io.vrfm.backend.cuda;

import io.vrfm.backend.Backend;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;

/**
 * The start-up checks a {@link GemmPath} or {@link ConvPath} candidate must pass before {@link CudaBackend} uses
 * it: a tiny batched GEMM and a 1×1 convolution (forward, backward data, backward filter) on small integers,
 * compared with the host result. They run once per backend, so a library that loads but fails at its first call
 * (cuDNN 9 loads its sub-libraries only then; a kernel built for the wrong architecture) becomes a fallback with
 * a one-line reason instead of a failure in the middle of training.
 */
final class PathProbes {
    private PathProbes() {
    }

    /**
     * Runs {@code C_b = A_b · B_bᵀ} (m 3, n 5, k 4, batch 2, beta 0 over NaN) through {@code path} on raw device
     * memory and compares it with the host product (exact: small integers are exact in TF32 and FP32).
     *
     * @throws PathChoice.Unusable naming the first wrong element
     */
    static void gemm(Device device, GemmPath path) throws PathChoice.Unusable {
        final int m = 3, n = 5, k = 4, batch = 2;
        float[] a = new float[batch * m * k], b = new float[batch * n * k], c = new float[batch * m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i * 7 % 11) - 5;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i * 5 % 13) - 6;
        }
        java.util.Arrays.fill(c, Float.NaN);
        long da = device.malloc(4L * a.length), db = device.malloc(4L * b.length), dc = device.malloc(4L * c.length);
        try {
            device.upload(a, 0, da, a.length);
            device.upload(b, 0, db, b.length);
            device.upload(c, 0, dc, c.length);
            path.gemm(false, true, m, n, k, 1f, da, k, (long) m * k, db, k, (long) n * k, 0f, dc, (long) m * n, batch);
            device.download(dc, c, 0, c.length);
        } finally {
            device.free(da);
            device.free(db);
            device.free(dc);
        }
        for (int z = 0; z < batch; z++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float want = 0;
                    for (int p = 0; p < k; p++) {
                        want += a[z * m * k + i * k + p] * b[z * n * k + j * k + p];
                    }
                    float got = c[z * m * n + i * n + j];
                    if (got != want) {
                        throw new PathChoice.Unusable("probe GEMM (3x5x4, batch 2, B transposed) gave " + got
                                + " instead of " + want + " at batch " + z + " [" + i + "," + j + "]");
                    }
                }
            }
        }
    }

    /**
     * Runs a 1×1 convolution (n 2, c 3, 2×2 images, k 2) forward, backward-data and backward-filter through
     * {@code path} on {@code backend}'s buffers and compares each with the host result.
     *
     * @throws PathChoice.Unusable naming the pass and the first wrong element
     */
    static void conv(Backend backend, ConvPath path) throws PathChoice.Unusable {
        ConvShape s = new ConvShape(2, 3, 2, 2, 2, 1, 1, 1, 0);
        int hw = s.h() * s.w();
        float[] x = new float[(int) s.inputSize()], w = new float[(int) s.weightSize()], gy = new float[(int) s.outputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 5 % 7) - 3;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (i * 3 % 5) - 2;
        }
        for (int i = 0; i < gy.length; i++) {
            gy[i] = (i * 7 % 9) - 4;
        }
        float[] y = new float[gy.length], gx = new float[x.length], gw = new float[w.length];
        for (int n = 0; n < s.n(); n++) {
            for (int q = 0; q < hw; q++) {
                for (int kk = 0; kk < s.k(); kk++) {
                    for (int c = 0; c < s.c(); c++) {
                        y[(n * s.k() + kk) * hw + q] += w[kk * s.c() + c] * x[(n * s.c() + c) * hw + q];
                        gx[(n * s.c() + c) * hw + q] += w[kk * s.c() + c] * gy[(n * s.k() + kk) * hw + q];
                        gw[kk * s.c() + c] += gy[(n * s.k() + kk) * hw + q] * x[(n * s.c() + c) * hw + q];
                    }
                }
            }
        }
        Buffer bx = backend.allocate(x.length), bw = backend.allocate(w.length), bgy = backend.allocate(gy.length);
        Buffer by = backend.allocate(y.length), bgx = backend.allocate(x.length), bgw = backend.allocate(w.length);
        try {
            backend.upload(x, 0, bx, 0, x.length);
            backend.upload(w, 0, bw, 0, w.length);
            backend.upload(gy, 0, bgy, 0, gy.length);
            path.forward(bx, bw, by, s);
            expect("forward", backend, by, y);
            path.backwardData(bgy, bw, bgx, s);
            expect("backward-data", backend, bgx, gx);
            path.backwardFilter(bx, bgy, bgw, s);
            expect("backward-filter", backend, bgw, gw);
        } finally {
            for (Buffer b : new Buffer[] {bx, bw, bgy, by, bgx, bgw}) {
                backend.release(b);
            }
        }
    }

    private static void expect(String pass, Backend backend, Buffer got, float[] want) throws PathChoice.Unusable {
        float[] g = new float[want.length];
        backend.download(got, 0, g, 0, g.length);
        for (int i = 0; i < g.length; i++) {
            // small integers: exact for direct and GEMM algorithms; FFT/Winograd ones round a little
            if (!(Math.abs(g[i] - want[i]) <= 1e-3f * (1 + Math.abs(want[i])))) {
                throw new PathChoice.Unusable("probe 1x1 convolution " + pass + " gave " + g[i] + " instead of "
                        + want[i] + " at element " + i);
            }
        }
    }
}
