package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/**
 * The 3×3 poolings of Inception-v3 on NCHW tensors, composed from tensor ops (padding by concatenation, shifted
 * slices, stride 2 by splitting an axis into pairs, element-wise max or sum) so that every backend runs them. Both
 * are separable: a pool over rows of a pool over columns.
 */
public final class Pooling {
    private Pooling() {
    }

    /** {@code max_pool2d(x, 3, stride, padding)}; padded cells never win (they hold −∞). Stride 1 or 2. */
    public static Tensor maxPool3x3(Tensor x, int stride, int pad) {
        checkNchw("maxPool3x3", x);
        Tensor w = pool1d(x, 3, stride, pad, Float.NEGATIVE_INFINITY, true);
        return pool1d(w, 2, stride, pad, Float.NEGATIVE_INFINITY, true);
    }

    /**
     * {@code avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)}: each output is the mean over the window
     * cells inside the image (4 at corners, 6 at edges, 9 inside), as TensorFlow's Inception averages.
     */
    public static Tensor avgPool3x3ExcludingPadding(Tensor x) {
        checkNchw("avgPool3x3ExcludingPadding", x);
        int h = x.dim(2), w = x.dim(3);
        Tensor sum = pool1d(pool1d(x, 3, 1, 1, 0f, false), 2, 1, 1, 0f, false);
        float[] inv = new float[h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                inv[i * w + j] = 1f / (inside(i, h) * inside(j, w));
            }
        }
        return sum.mul(Tensor.of(x.backend(), inv, 1, 1, h, w));
    }

    /** The mean over the spatial axes: {@code [N, C, H, W] → [N, C]} (adaptive average pooling to 1×1). */
    public static Tensor globalAverage(Tensor x) {
        checkNchw("globalAverage", x);
        return x.mean(new int[]{2, 3}, false);
    }

    /** How many of the three window cells centred at {@code i} lie in {@code [0, n)}. */
    private static int inside(int i, int n) {
        return 1 + (i > 0 ? 1 : 0) + (i < n - 1 ? 1 : 0);
    }

    private static void checkNchw(String op, Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be [N, C, H, W], got " + x.shapeString());
        }
    }

    /** A 3-wide pooling along {@code axis} with {@code stride} (1 or 2) and {@code pad} cells of {@code fill}. */
    private static Tensor pool1d(Tensor x, int axis, int stride, int pad, float fill, boolean max) {
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("pool: stride " + stride + " is not 1 or 2");
        }
        int len = x.dim(axis);
        int out = (len + 2 * pad - 3) / stride + 1;
        if (len + 2 * pad < 3) {
            throw new IllegalArgumentException("pool: a 3-wide window does not fit " + len + " cells with padding " + pad);
        }
        // stride 2 reads 2·out cells from offsets 0, 1 and 2: the padded axis needs 2·out + 2 cells
        int need = stride == 1 ? len + 2 * pad : Math.max(len + 2 * pad, 2 * out + 2);
        Tensor xp = padAxis(x, axis, pad, need - len - pad, fill);
        Tensor acc = null;
        for (int k = 0; k < 3; k++) {
            Tensor s = stride == 1 ? xp.slice(axis, k, k + out) : everyOther(xp, axis, k, out);
            acc = acc == null ? s : max ? acc.maximum(s) : acc.add(s);
        }
        return acc;
    }

    /** Cells {@code start, start + 2, …} ({@code count} of them) along {@code axis}. */
    private static Tensor everyOther(Tensor x, int axis, int start, int count) {
        int[] shape = x.shape();
        Tensor s = x.slice(axis, start, start + 2 * count);
        int[] pairs = new int[shape.length + 1];
        for (int a = 0, b = 0; a < shape.length; a++) {
            if (a == axis) {
                pairs[b++] = count;
                pairs[b++] = 2;
            } else {
                pairs[b++] = shape[a];
            }
        }
        int[] outShape = shape.clone();
        outShape[axis] = count;
        return s.reshape(pairs).slice(axis + 1, 0, 1).reshape(outShape);
    }

    private static Tensor padAxis(Tensor x, int axis, int before, int after, float fill) {
        if (before == 0 && after == 0) {
            return x;
        }
        int[] shape = x.shape();
        Tensor[] parts = new Tensor[(before > 0 ? 1 : 0) + 1 + (after > 0 ? 1 : 0)];
        int k = 0;
        if (before > 0) {
            shape[axis] = before;
            parts[k++] = Tensor.full(x.backend(), fill, shape.clone());
        }
        parts[k++] = x;
        if (after > 0) {
            shape[axis] = after;
            parts[k] = Tensor.full(x.backend(), fill, shape.clone());
        }
        return Tensor.concat(axis, parts);
    }

    /** Zero padding of the two spatial axes of NCHW {@code x}: {@code padH} rows and {@code padW} columns per side. */
    public static Tensor zeroPad(Tensor x, int padH, int padW) {
        checkNchw("zeroPad", x);
        return padAxis(padAxis(x, 3, padW, padW, 0f), 2, padH, padH, 0f);
    }
}
