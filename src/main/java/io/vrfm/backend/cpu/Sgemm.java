package io.vrfm.backend.cpu;

/**
 * Row-major single-precision GEMM for the CPU backend: {@code C = alpha·op(A)·op(B) + beta·C}.
 *
 * <p>Two kernels sit behind this entry point, chosen once at class initialisation:
 * <ul>
 *   <li>{@link SgemmVector}: the incubating Vector API (packed A and B panels, a register-tiled micro-kernel whose
 *       tile {@link SgemmTile} suits the vector width and register count, cache blocking over k and n, rows split
 *       across the {@link CpuParallel} workers). Used when the JVM was started with
 *       {@code --add-modules jdk.incubator.vector}.</li>
 *   <li>{@link SgemmScalar}: a blocked scalar kernel the JIT auto-vectorises, used otherwise. It lives in its own
 *       class so that the Vector API classes are never loaded when the module is absent.</li>
 * </ul>
 * The system property {@code -Dvrfm.sgemm.scalar=true} forces the scalar kernel (for comparisons); a JVM that
 * uses no FMA instructions gets it too ({@link #scalarReason}).
 */
public final class Sgemm {

    /** Why the scalar kernel runs (for {@link #path()}), or null when the Vector API kernel does. */
    private static final String SCALAR_REASON = scalarReason(Boolean.getBoolean("vrfm.sgemm.scalar"),
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), io.vrfm.backend.JvmOption.value("UseFMA"));
    private static final boolean VECTOR = SCALAR_REASON == null && vectorUsable();

    private Sgemm() {
    }

    /**
     * Why the Vector API kernels must not run, or null when they may. Without fused multiply-add instructions
     * ({@code UseFMA} false: a CPU or VM that hides FMA, or {@code -XX:UseAVX=0}) C2 cannot intrinsify
     * {@code FloatVector.fma}: every vector of the GEMM is boxed and a 256³ product took 17 s instead of 5 ms
     * on the scalar kernel.
     */
    static String scalarReason(boolean forcedScalar, boolean vectorModule, String useFma) {
        if (forcedScalar) {
            return "-Dvrfm.sgemm.scalar=true";
        }
        if (!vectorModule) {
            return "start the JVM with --add-modules jdk.incubator.vector for SIMD";
        }
        if ("false".equals(useFma)) {
            return "this JVM uses no FMA instructions (a CPU or VM without FMA, or -XX:UseAVX=0), and the Vector API"
                    + " kernels would run thousands of times slower without them";
        }
        return null;
    }

    private static boolean vectorUsable() {
        try {
            return SgemmVector.usable();
        } catch (Throwable t) { // LinkageError if the module is there but unreadable; be safe
            return false;
        }
    }

    /** True when the Vector API kernel is in use. */
    public static boolean vectorized() {
        return VECTOR;
    }

    /**
     * Which kernel runs, in words, e.g. {@code "vector-api (256-bit, 6x2-vector tile = 6x16 floats, KC 256, A read in
     * place when transposed or n <= 128, ...)"}: the vector width, the register tile chosen for it (see
     * {@link SgemmTile}) and when the kernel reads operands unpacked.
     */
    public static String path() {
        if (!VECTOR) {
            return "scalar (" + (SCALAR_REASON != null ? SCALAR_REASON : "the vector species is too narrow") + ")";
        }
        SgemmTile t = SgemmVector.TILE;
        int bits = SgemmVector.vectorBits();
        String directA = switch (SgemmVector.DIRECT_A) {
            case "on" -> "A read in place";
            case "off" -> "A packed";
            default -> "A read in place when transposed or n <= " + SgemmVector.DIRECT_A_MAX_N;
        };
        return "vector-api (" + bits + "-bit, " + t.label() + "-vector tile = " + t.rows + "x"
                + t.vectors * bits / 32 + " floats, KC " + t.kc + ", " + directA
                + switch (SgemmVector.DIRECT_B) {
                    case "on" -> ", B read in place";
                    case "off" -> ", B packed";
                    default -> ", B read in place for m <= " + SgemmVector.DIRECT_B_MAX_M + " on several workers or"
                            + " at most " + SgemmVector.DIRECT_B_MAX_SLIVERS + " slivers";
                } + ")";
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C}, all row-major. {@code op(A)} is {@code m×k}: A is stored {@code m×k}
     * with row length {@code lda}, or {@code k×m} when {@code transA}. {@code op(B)} is {@code k×n}: B is stored
     * {@code k×n} with row length {@code ldb}, or {@code n×k} when {@code transB}. C is {@code m×n} with row length
     * {@code ldc}. When {@code beta == 0} the previous contents of C are ignored (NaN included). {@code par} may be
     * {@code null} (runs on the calling thread).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, CpuParallel par) {
        checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (VECTOR) {
            SgemmVector.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
        } else {
            SgemmScalar.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
        }
    }

    /**
     * {@code C = alpha·op(A)·op(B) + bias}, {@code bias} ({@code n} floats from {@code biasOff}; null: none) added to
     * every row of C, then, with {@code act}, {@code actOut = act(C)} (same offset and row length as C): the forward
     * product of a Linear layer with its bias and activation as the GEMM's epilogue. Each element is summed in the
     * same order as copying the bias into every row of C and calling {@link #sgemm} with {@code beta} 1 (0 without
     * bias), and the activation is the one {@code unary} computes, so the results are bit-identical to those
     * passes, without them.
     */
    public static void sgemmBias(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] bias, int biasOff, float[] c, int cOff, int ldc,
                                 io.vrfm.backend.UnaryOp act, float[] actOut, CpuParallel par) {
        checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m > 0 && n > 0 && bias != null && (biasOff < 0 || (long) biasOff + n > bias.length)) {
            throw new IllegalArgumentException("sgemm: bias (" + n + " floats at " + biasOff
                    + ") does not fit its array of " + bias.length);
        }
        if (m > 0 && n > 0 && act != null) {
            checkSpan("activation output", actOut, cOff, m, n, ldc);
        }
        if (VECTOR) {
            SgemmVector.sgemmBias(SgemmVector.TILE, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                    bias, biasOff, c, cOff, ldc, act, actOut, par);
            return;
        }
        if (bias != null) {
            for (int i = 0; i < m; i++) {
                System.arraycopy(bias, biasOff, c, cOff + i * ldc, n);
            }
        }
        SgemmScalar.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, bias != null ? 1f : 0f,
                c, cOff, ldc, par);
        activateRows(act, c, actOut, cOff, m, n, ldc);
    }

    /** {@code actOut = act(C)} over the {@code m×n} block (nothing when {@code act} is null). */
    static void activateRows(io.vrfm.backend.UnaryOp act, float[] c, float[] actOut, int cOff, int m, int n, int ldc) {
        if (act == null) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            UnaryMath.forward(act, c, actOut, row, row + n, 0f, 0f);
        }
    }

    static void checkArgs(boolean transA, boolean transB, int m, int n, int k,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (ldc < n) {
            throw new IllegalArgumentException("sgemm: ldc=" + ldc + " < n=" + n);
        }
        checkSpan("C", c, cOff, m, n, ldc);
        if (k == 0) {
            return;
        }
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (lda < aCols) {
            throw new IllegalArgumentException("sgemm: lda=" + lda + " < " + aCols);
        }
        if (ldb < bCols) {
            throw new IllegalArgumentException("sgemm: ldb=" + ldb + " < " + bCols);
        }
        checkSpan("A", a, aOff, aRows, aCols, lda);
        checkSpan("B", b, bOff, bRows, bCols, ldb);
    }

    private static void checkSpan(String name, float[] x, int off, int rows, int cols, int ld) {
        long end = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || end > x.length) {
            throw new IllegalArgumentException("sgemm: " + name + " (" + rows + "×" + cols + ", ld " + ld
                    + ", offset " + off + ") does not fit its array of " + x.length);
        }
    }

    /** Applies {@code C *= beta} ({@code beta == 0} writes zeros) to the {@code m×n} block. */
    static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }
}
