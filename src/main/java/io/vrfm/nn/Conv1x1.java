package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.LinearAlgebra;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * A kernel-size-1 {@code Conv1d} as PyTorch stores it ({@code weight [out, in, 1]}, {@code bias [out]}), applied
 * to channel-last tokens {@code [N, T, in] → [N, T, out]} as one GEMM. The attention block's {@code qkv} and
 * {@code proj_out} use it so their names and shapes match torchcfm's state dict.
 */
public final class Conv1x1 extends Module {
    private final Tensor weight, bias;
    private final int in, out;

    public Conv1x1(Backend be, Rng rng, int in, int out) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Init.fanIn(be, rng, in, out, in, 1));
        this.bias = param("bias", Init.fanIn(be, rng, in, out));
    }

    /** {@code x [.., in]} (channel-last) → {@code [.., out]}. */
    public Tensor forward(Tensor x) {
        return LinearAlgebra.linear(x, weight.reshape(out, in), bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
