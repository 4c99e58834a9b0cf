package io.vrfm.nn;

import io.vrfm.backend.UnaryOp;
import io.vrfm.tensor.Tensor;

/** Point-wise nonlinearities by name. */
public enum Activation {
    GELU, /** GELU's tanh approximation (PyTorch {@code approximate="tanh"}); cheaper on the CPU. */ GELU_TANH,
    SILU, RELU, TANH, IDENTITY;

    /** The backend's unary op for this activation, or null for {@link #IDENTITY}. */
    public UnaryOp unaryOp() {
        switch (this) {
            case GELU: return UnaryOp.GELU_ERF;
            case GELU_TANH: return UnaryOp.GELU_TANH;
            case SILU: return UnaryOp.SILU;
            case RELU: return UnaryOp.RELU;
            case TANH: return UnaryOp.TANH;
            default: return null;
        }
    }

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
