package io.vrfm.backend;

/** Element-wise binary functions with NumPy broadcasting (operands addressed through broadcast strides). */
public enum BinaryOp {
    ADD, SUB, MUL, DIV,
    /** {@code max(a, b)}. */
    MAX,
    /** {@code a == b ? 1 : 0} (a mask; not differentiable). */
    EQUAL;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** The op's name in lower case whatever the default locale ({@code "div"}, never {@code "dıv"}). */
    public String label() {
        return label;
    }
}
