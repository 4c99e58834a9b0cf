package io.vrfm.backend.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * GEMM through cuBLAS 12 ({@code libcublas.so.12}) with JCublas 12.6: one handle on the device's stream,
 * {@code cublasSgemmStridedBatched} for every call. JCublas binds cuBLAS's versioned symbols
 * ({@code readelf -V} shows version {@code libcublas.so.12}), so CUDA 13's {@code libcublas.so.13} cannot
 * satisfy it: such hosts take {@link Cublas13} instead. NEVER RUN ON A REAL GPU YET.
 */
final class CublasGemm implements GemmPath {
    private final CudaDevice cuda;
    private final cublasHandle handle = new cublasHandle();
    private boolean open;

    CublasGemm(CudaDevice cuda, boolean tf32) {
        this.cuda = cuda;
        JCublas2.setExceptionsEnabled(true);
        cuda.makeCurrent();
        JCublas2.cublasCreate(handle);
        try {
            JCublas2.cublasSetStream(handle, new cudaStream_t(cuda.stream));
            JCublas2.cublasSetMathMode(handle, tf32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH);
        } catch (RuntimeException | Error e) {
            JCublas2.cublasDestroy(handle);
            throw e;
        }
        open = true;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     long a, int lda, long strideA, long b, int ldb, long strideB,
                     float beta, long c, long strideC, int batch) {
        cuda.makeCurrent();
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands, keep the flags.
        JCublas2.cublasSgemmStridedBatched(handle,
                transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                n, m, k, Pointer.to(new float[] {alpha}),
                cuda.ptr(b), ldb, strideB, cuda.ptr(a), lda, strideA,
                Pointer.to(new float[] {beta}), cuda.ptr(c), n, strideC, batch);
    }

    @Override
    public synchronized void close() {
        if (open) {
            open = false;
            cuda.makeCurrent();
            JCublas2.cublasDestroy(handle);
        }
    }
}
