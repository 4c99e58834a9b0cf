package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** 2-D convolution, NCHW, {@code weight [out, in, k, k]}, {@code bias [out]} (PyTorch names and layout). */
public final class Conv2d extends Module {
    private final Tensor weight;
    private final Tensor bias;
    private final int stride, padding;

    public Conv2d(Backend be, Rng rng, int in, int out, int kernel, int stride, int padding) {
        this(be, rng, in, out, kernel, stride, padding, true);
    }

    public Conv2d(Backend be, Rng rng, int in, int out, int kernel, int stride, int padding, boolean withBias) {
        int fanIn = in * kernel * kernel;
        this.weight = param("weight", Init.fanIn(be, rng, fanIn, out, in, kernel, kernel));
        this.bias = withBias ? param("bias", Init.fanIn(be, rng, fanIn, out)) : null;
        this.stride = stride;
        this.padding = padding;
    }

    public Tensor forward(Tensor x) {
        return NeuralOps.conv2d(x, weight, bias, stride, padding);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
