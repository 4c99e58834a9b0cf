package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.backend.UnaryOp;
import io.vrfm.tensor.LinearAlgebra;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** {@code y = x·Wᵀ + b} with {@code weight [out, in]} and {@code bias [out]} (PyTorch names and layout). */
public final class Linear extends Module {
    private final Tensor weight;
    private final Tensor bias;

    public Linear(Backend be, Rng rng, int in, int out) {
        this(be, rng, in, out, true);
    }

    public Linear(Backend be, Rng rng, int in, int out, boolean withBias) {
        this.weight = param("weight", Init.fanIn(be, rng, in, out, in));
        this.bias = withBias ? param("bias", Init.fanIn(be, rng, in, out)) : null;
    }

    public Tensor forward(Tensor x) {
        return LinearAlgebra.linear(x, weight, bias);
    }

    /** {@code act(forward(x))} in one fused op (the activation in the GEMM's epilogue; same values and gradients). */
    public Tensor forward(Tensor x, Activation act) {
        UnaryOp op = act.unaryOp();
        return op == null ? forward(x) : LinearAlgebra.linearActivation(x, weight, bias, op);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public int in() {
        return weight.dim(1);
    }

    public int out() {
        return weight.dim(0);
    }
}
