package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/** Point-wise nonlinearities by name. */
public enum Activation {
    GELU, SILU, RELU, TANH, IDENTITY;

    public Tensor apply(Tensor x) {
        switch (this) {
            case GELU: return x.gelu();
            case SILU: return x.silu();
            case RELU: return x.relu();
            case TANH: return x.tanh();
            default: return x;
        }
    }
}
