package io.vrfm.backend.cuda;

/**
 * How the CUDA backend computes its GEMMs (the public batched GEMM and the im2col convolution's): cuBLAS 12
 * through JCublas, cuBLAS 13 through the Foreign Function &amp; Memory API (Java 22+), the hand-written TF32
 * tensor-core kernel or the hand-written FP32 tiled kernel. {@link CudaBackend} chooses one when it starts
 * ({@link CudaBackend#chooseGemm}) and names it in {@code describe()}.
 *
 * <p>Semantics are {@link io.vrfm.backend.Backend#gemm} on raw device addresses (row-major, batched with element
 * strides, {@code C} has leading dimension {@code n}, {@code beta == 0} never reads {@code C}); {@code k > 0}.
 */
interface GemmPath extends AutoCloseable {

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              long a, int lda, long strideA, long b, int ldb, long strideB,
              float beta, long c, long strideC, int batch);

    /** Releases library handles; the default holds none. */
    @Override
    default void close() {
    }
}
