package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Tensor;

/** Layer normalisation over the last axis, with or without affine parameters. */
public final class LayerNorm extends Module {
    private final float eps;
    private final Tensor weight, bias;

    public LayerNorm(Backend be, int dim, boolean affine, float eps) {
        this.eps = eps;
        this.weight = affine ? param("weight", Tensor.ones(be, dim)) : null;
        this.bias = affine ? param("bias", Tensor.zeros(be, dim)) : null;
    }

    public LayerNorm(Backend be, int dim) {
        this(be, dim, true, 1e-5f);
    }

    public Tensor forward(Tensor x) {
        return NeuralOps.layerNorm(x, weight, bias, eps);
    }
}
