package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/**
 * Bilinear resizing of NCHW images with PyTorch's {@code F.interpolate(mode="bilinear", align_corners=False)}
 * sampling (half-pixel centres, source index clamped at 0, the last pixel repeated at the far edge), as two matrix
 * products with fixed interpolation matrices: {@code Y = R_h · X · R_wᵀ} per plane.
 */
public final class BilinearResize {
    private BilinearResize() {
    }

    /** {@code x [N, C, H, W] → [N, C, outH, outW]}. */
    public static Tensor resize(Tensor x, int outH, int outW) {
        if (x.rank() != 4 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("resize: input " + x.shapeString() + " must be [N, C, H, W], size >= 1");
        }
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        if (h == outH && w == outW) {
            return x;
        }
        Tensor rw = Tensor.of(x.backend(), matrixTransposed(w, outW), w, outW);
        Tensor rh = Tensor.of(x.backend(), matrixTransposed(h, outH), h, outH);
        Tensor cols = x.reshape(n * c * h, w).matmul(rw);                     // [NCH, outW]
        Tensor t = cols.reshape(n * c, h, outW).transpose(1, 2).reshape(n * c * outW, h);
        Tensor rows = t.matmul(rh);                                            // [NC·outW, outH]
        return rows.reshape(n * c, outW, outH).transpose(1, 2).reshape(n, c, outH, outW);
    }

    /** The interpolation weights {@code Rᵀ [in, out]}: output {@code o} reads {@code Σ_i R[o][i]·x[i]}. */
    static float[] matrixTransposed(int in, int out) {
        float[] m = new float[in * out];
        float scale = (float) in / out;
        for (int o = 0; o < out; o++) {
            float src = Math.max(scale * (o + 0.5f) - 0.5f, 0f);
            int i0 = (int) src;
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            float l1 = src - i0, l0 = 1f - l1;
            m[i0 * out + o] += l0;
            m[i1 * out + o] += l1;
        }
        return m;
    }
}
