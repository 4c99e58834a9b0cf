package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * 2-D convolution, NCHW, {@code weight [out, in, kh, kw]}, {@code bias [out]} (PyTorch names and layout); square
 * kernels by default, rectangular ones (Inception's 1×7, 7×1) with their own padding per axis.
 */
public final class Conv2d extends Module {
    private final Tensor weight;
    private final Tensor bias;
    private final int stride, padH, padW;

    public Conv2d(Backend be, Rng rng, int in, int out, int kernel, int stride, int padding) {
        this(be, rng, in, out, kernel, stride, padding, true);
    }

    public Conv2d(Backend be, Rng rng, int in, int out, int kernel, int stride, int padding, boolean withBias) {
        this(be, rng, in, out, kernel, kernel, stride, padding, padding, withBias);
    }

    /** A {@code kh × kw} kernel with {@code padH} zero rows and {@code padW} zero columns on each side. */
    public Conv2d(Backend be, Rng rng, int in, int out, int kh, int kw, int stride, int padH, int padW, boolean withBias) {
        int fanIn = in * kh * kw;
        this.weight = param("weight", Init.fanIn(be, rng, fanIn, out, in, kh, kw));
        this.bias = withBias ? param("bias", Init.fanIn(be, rng, fanIn, out)) : null;
        this.stride = stride;
        this.padH = padH;
        this.padW = padW;
    }

    public Tensor forward(Tensor x) {
        if (padH == padW) {
            return NeuralOps.conv2d(x, weight, bias, stride, padH);
        }
        return NeuralOps.conv2d(Pooling.zeroPad(x, padH, padW), weight, bias, stride, 0);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
