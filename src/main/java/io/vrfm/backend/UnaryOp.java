package io.vrfm.backend;

/**
 * Element-wise unary functions. {@code p0}/{@code p1} are scalar parameters where the op takes them
 * (documented per constant); others ignore them. Every differentiable op has a backward rule in
 * {@link Backend#unaryBackward}: {@code gx = gy · f'(x)} (it may use the saved output {@code y}).
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, RELU,
    /** GELU, tanh approximation. */
    GELU_TANH,
    /** GELU, exact erf form. */
    GELU_ERF,
    SILU, SIGMOID, TANH, SIN, COS,
    /** {@code x^p0}. */
    POW,
    /** {@code min(max(x, p0), p1)}; gradient passes where {@code p0 <= x <= p1}. */
    CLAMP,
    /** {@code p0·x + p1}. */
    AFFINE,
    /** {@code x > p0 ? 1 : 0} (not differentiable: gradient zero). */
    GREATER_THAN,
    /** {@code x·x}. */
    SQUARE;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** The op's name in lower case whatever the default locale ({@code "sin"}, never {@code "sın"}). */
    public String label() {
        return label;
    }
}
