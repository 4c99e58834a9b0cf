package io.vrfm.backend.cuda;

/**
 * GEMM through CUDA 13's cuBLAS ({@code libcublas.so.13}), which JCublas 12.6 cannot bind. The binding uses the
 * Foreign Function &amp; Memory API, so it lives in the jar's Java 22 layer ({@code META-INF/versions/22},
 * source {@code src/main/java22}); this Java 17 class only says so: {@link #open} always fails with
 * "needs Java 22+". Both versions share this API.
 *
 * <p>The library name comes from {@code vrfm.cuda.cublas13.library} (default {@value #DEFAULT_LIBRARY}, found
 * through the dynamic loader's search path).
 */
final class Cublas13 implements GemmPath {
    /** System property naming the library (a file path or a name for the dynamic loader). */
    static final String LIBRARY_PROPERTY = "vrfm.cuda.cublas13.library";
    static final String DEFAULT_LIBRARY = "libcublas.so.13";
    /** {@code cublasOperation_t}. */
    static final int OP_N = 0, OP_T = 1;

    private Cublas13() {
    }

    /** The library to load: {@value #LIBRARY_PROPERTY} or {@value #DEFAULT_LIBRARY}. */
    static String library() {
        return System.getProperty(LIBRARY_PROPERTY, DEFAULT_LIBRARY);
    }

    /**
     * Loads {@code library}, creates a handle bound to {@code stream} (a raw {@code CUstream}, 0 for the default
     * stream) with TF32 tensor-op math when {@code tf32}.
     *
     * @throws PathChoice.Unusable always in this Java 17 build: the binding needs Java 22+
     */
    static Cublas13 open(String library, long stream, boolean tf32) throws PathChoice.Unusable {
        throw new PathChoice.Unusable("needs Java 22+ (the Foreign Function & Memory API); this is Java "
                + Runtime.version().feature());
    }

    /** Address of the {@code cublasHandle_t}. */
    long handleAddress() {
        throw new UnsupportedOperationException();
    }

    /** {@code cublasSgemm_v2}, column-major as cuBLAS defines it. */
    void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
               float beta, long c, int ldc) {
        throw new UnsupportedOperationException();
    }

    /** {@code cublasSgemmStridedBatched}, column-major as cuBLAS defines it. */
    void sgemmStridedBatched(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long strideA,
                             long b, int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     long a, int lda, long strideA, long b, int ldb, long strideB,
                     float beta, long c, long strideC, int batch) {
        throw new UnsupportedOperationException();
    }
}
