package io.vrfm.backend.cuda;

/**
 * The hand-written TF32 tensor-core GEMM ({@code vrfm_sgemm_tf32} in {@code kernels/gemm_tf32.cu}): WMMA
 * m16n16k8 fragments with inputs rounded to TF32 (10 mantissa bits, round to nearest) and FP32 accumulation,
 * 64×64 tiles of C per block of 128 threads (4 warps × 32×32). The GEMM path when cuBLAS cannot load, TF32 is
 * allowed and the device is sm_80 or newer; its launch shape lives here, used by {@link CudaBackend} on a GPU and
 * by the emulation tests.
 */
final class Tf32Gemm implements GemmPath {
    static final String KERNEL = "vrfm_sgemm_tf32";
    static final int TILE = 64, THREADS = 128;

    private final Device device;
    /** Cap on the batch grid (z); the kernel loops over the rest. Tests lower it. */
    int maxGrid = KernelBackend.MAX_GRID;

    Tf32Gemm(Device device) {
        this.device = device;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     long a, int lda, long strideA, long b, int ldb, long strideB,
                     float beta, long c, long strideC, int batch) {
        int gx = (n + TILE - 1) / TILE, gy = (m + TILE - 1) / TILE, gz = Math.min(batch, maxGrid);
        if (gy > KernelBackend.MAX_GRID) {
            throw new IllegalArgumentException("gemm: m = " + m + " exceeds the kernel grid (" + (long) TILE * KernelBackend.MAX_GRID + ")");
        }
        device.launch(KERNEL, gx, gy, gz, THREADS, 1, 1, transA ? 1 : 0, transB ? 1 : 0,
                m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, strideC, batch);
    }
}
