package io.vrfm.backend;

/** Element-wise binary functions with NumPy broadcasting (operands addressed through broadcast strides). */
public enum BinaryOp {
    ADD, SUB, MUL, DIV,
    /** {@code max(a, b)}. */
    MAX,
    /** {@code a == b ? 1 : 0} (a mask; not differentiable). */
    EQUAL
}
