package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/** Point-wise nonlinearities by name. */
public enum Activation {
    GELU, /** GELU's tanh approximation (PyTorch {@code approximate="tanh"}); cheaper on the CPU. */ GELU_TANH,
    SILU, RELU, TANH, IDENTITY;

    public Tensor apply(Tensor x) {
        switch (this) {
            case GELU: return x.gelu();
            case GELU_TANH: return x.geluTanh();
            case SILU: return x.silu();
            case RELU: return x.relu();
            case TANH: return x.tanh();
            default: return x;
        }
    }
}
