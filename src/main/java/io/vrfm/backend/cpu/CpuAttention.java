package io.vrfm.backend.cpu;

/**
 * Fused scaled-dot-product attention on the CPU (the twin of {@code kernels/attention.cu}); semantics are
 * {@link io.vrfm.backend.Backend#attention} and {@link io.vrfm.backend.Backend#attentionBackward}.
 *
 * <p>Work is split across cores by (batch × head) slice; each slice runs on one thread with a private
 * {@code seq × seq} score scratch (never shared, never returned): the products {@code q·kᵀ}, {@code P·v},
 * {@code Pᵀ·gOut}, {@code gOut·vᵀ}, {@code dS·k}, {@code dSᵀ·q} go through the single-threaded {@link Sgemm}
 * (Vector API when present) and the exponentials through the SIMD {@code expf}. The backward recomputes the
 * probabilities from the saved log-sum-exp instead of storing them.
 */
final class CpuAttention {
    private CpuAttention() {
    }

    /** Per-thread score scratch, grown on demand. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private static float[] scratch(int which, int n) {
        float[][] s = SCRATCH.get();
        if (s[which].length < n) {
            s[which] = new float[n];
        }
        return s[which];
    }

    static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse,
                        int batchHeads, int seq, int headDim, float scale, CpuParallel par) {
        check(q, k, v, out, batchHeads, seq, headDim);
        if (lse.length < (long) batchHeads * seq) {
            throw new IllegalArgumentException("attention: lse of " + lse.length + " floats, need " + batchHeads * seq);
        }
        int slice = seq * headDim;
        par.forRange(batchHeads, 1, (lo, hi) -> {
            float[] s = scratch(0, seq * seq);
            for (int b = lo; b < hi; b++) {
                int off = b * slice;
                Sgemm.sgemm(false, true, seq, seq, headDim, scale, q, off, headDim, k, off, headDim,
                        0f, s, 0, seq, null);
                for (int i = 0; i < seq; i++) {
                    lse[b * seq + i] = softmaxRow(s, i * seq, seq);
                }
                Sgemm.sgemm(false, false, seq, headDim, seq, 1f, s, 0, seq, v, off, headDim,
                        0f, out, off, headDim, null);
            }
        });
    }

    static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
                         float[] gq, float[] gk, float[] gv, int batchHeads, int seq, int headDim, float scale,
                         CpuParallel par) {
        check(q, k, v, out, batchHeads, seq, headDim);
        int slice = seq * headDim;
        par.forRange(batchHeads, 1, (lo, hi) -> {
            float[] p = scratch(0, seq * seq), dp = scratch(1, seq * seq);
            for (int b = lo; b < hi; b++) {
                int off = b * slice;
                // P = exp(scale·q·kᵀ − lse), recomputed
                Sgemm.sgemm(false, true, seq, seq, headDim, scale, q, off, headDim, k, off, headDim,
                        0f, p, 0, seq, null);
                for (int i = 0; i < seq; i++) {
                    expRow(p, i * seq, seq, lse[b * seq + i]);
                }
                // gv = Pᵀ·gOut
                Sgemm.sgemm(true, false, seq, headDim, seq, 1f, p, 0, seq, gOut, off, headDim,
                        0f, gv, off, headDim, null);
                // dP = gOut·vᵀ; dS = P∘(dP − D), D_i = gOut_i·out_i
                Sgemm.sgemm(false, true, seq, seq, headDim, 1f, gOut, off, headDim, v, off, headDim,
                        0f, dp, 0, seq, null);
                for (int i = 0; i < seq; i++) {
                    float df = (float) PartialSums.sumProduct(gOut, out, off + i * headDim, headDim);
                    int row = i * seq;
                    for (int j = 0; j < seq; j++) {
                        dp[row + j] = p[row + j] * (dp[row + j] - df);
                    }
                }
                // gq = scale·dS·k, gk = scale·dSᵀ·q
                Sgemm.sgemm(false, false, seq, headDim, seq, scale, dp, 0, seq, k, off, headDim,
                        0f, gq, off, headDim, null);
                Sgemm.sgemm(true, false, seq, headDim, seq, scale, dp, 0, seq, q, off, headDim,
                        0f, gk, off, headDim, null);
            }
        });
    }

    /** In-place softmax of one row; returns its log-sum-exp. */
    private static float softmaxRow(float[] s, int base, int n) {
        float m = UnaryMath.max(s, base, base + n);
        expShifted(s, base, n, m);
        double sum = PartialSums.sum(s, base, n);
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < n; j++) {
            s[base + j] *= inv;
        }
        return (float) (m + Math.log(sum));
    }

    private static void expRow(float[] s, int base, int n, float shift) {
        expShifted(s, base, n, shift);
    }

    private static void expShifted(float[] s, int base, int n, float shift) {
        int j = Sgemm.vectorized() ? UnaryVector.expShifted(s, base, base + n, shift) : base;
        for (; j < base + n; j++) {
            s[j] = UnaryMath.expf(s[j] - shift);
        }
    }

    private static void check(float[] q, float[] k, float[] v, float[] out, int batchHeads, int seq, int headDim) {
        long n = (long) batchHeads * seq * headDim;
        if (batchHeads < 0 || seq < 0 || headDim < 0) {
            throw new IllegalArgumentException("attention: negative size " + batchHeads + "×" + seq + "×" + headDim);
        }
        if (q.length < n || k.length < n || v.length < n || out.length < n) {
            throw new IllegalArgumentException("attention: buffers shorter than " + batchHeads + "×" + seq + "×"
                    + headDim + " = " + n + " floats");
        }
        if ((long) seq * seq > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("attention: sequence " + seq + " too long for the CPU score scratch");
        }
    }
}
