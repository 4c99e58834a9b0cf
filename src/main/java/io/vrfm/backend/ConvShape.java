package io.vrfm.backend;

/**
 * Geometry of a 2-D convolution in NCHW layout: input {@code [n, c, h, w]}, weight {@code [k, c, r, s]},
 * output {@code [n, k, outH, outW]}; square stride and zero padding, dilation 1, groups 1.
 */
public record ConvShape(int n, int c, int h, int w, int k, int r, int s, int stride, int pad) {
    public ConvShape {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || r <= 0 || s <= 0 || stride <= 0 || pad < 0) {
            throw new IllegalArgumentException("conv2d: invalid geometry " + this);
        }
        if ((h + 2 * pad - r) / stride + 1 <= 0 || (w + 2 * pad - s) / stride + 1 <= 0 || h + 2 * pad < r || w + 2 * pad < s) {
            throw new IllegalArgumentException("conv2d: kernel " + r + "x" + s + " with padding " + pad
                    + " does not fit input " + h + "x" + w);
        }
    }

    public int outH() { return (h + 2 * pad - r) / stride + 1; }

    public int outW() { return (w + 2 * pad - s) / stride + 1; }

    public long inputSize() { return (long) n * c * h * w; }

    public long weightSize() { return (long) k * c * r * s; }

    public long outputSize() { return (long) n * k * outH() * outW(); }

    /** Flops of one pass (forward, backward data or backward filter): 2·n·k·c·r·s·outH·outW. */
    public long flops() { return 2L * outputSize() * c * r * s; }
}
