// gemm_tf32.cu - hand-written TF32 tensor-core GEMM (WMMA m16n16k8), the GEMM path when cuBLAS cannot load and TF32
// is allowed (vrfm.cuda.tf32=true) on sm_80+. CPU twin: io.vrfm.backend.cpu.Sgemm (FP32; this kernel rounds A and B
// to TF32 first, so it matches the twin within TF32 precision, ~2^-10 of sum |a*b|).
// Semantics: io.vrfm.backend.Backend#gemm, exactly as gemm.cu (row-major, batched, transposes, alpha/beta, any
// size, beta == 0 never reads C), except that A and B are rounded to TF32 (__float_to_tf32: round to nearest, ties
// away from zero, 10 mantissa bits) and products are accumulated in FP32 by the tensor cores.
// Tiling: 128 threads = 4 warps compute a 64 x 64 tile of C; warp w owns the 32 x 32 quadrant (w / 2, w % 2) as
// 2 x 2 accumulator fragments of 16 x 16. K is walked in slices of 16 staged through shared memory (zero-padded
// at the edges, rounded to TF32 as they are staged), two k-steps of 8 per slice. The finished tile goes through
// shared memory so edges, alpha and beta are applied per element.
// Launch: grid (ceil(n/64), ceil(m/64), min(batch, 65535)), block 128; blockIdx.z strides over batch.
// Arch: TF32 WMMA needs sm_80+. Compiled for an older target (__CUDA_ARCH__ < 800, e.g. the compute_75 PTX) the
// kernel is an empty stub that writes nothing; CudaBackend's start-up probe GEMM then rejects this path. The
// sm_80 / sm_90 code (cubins) carries the real kernel.
#include "common.cuh"
#if defined(__CUDACC__)
#include <mma.h>
#endif

#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
#define VRFM_TF32_WMMA 1
#endif

extern "C" __global__ void vrfm_sgemm_tf32(int transA, int transB, int m, int n, int k, float alpha,
                                           const float* __restrict__ A, int lda, long long strideA,
                                           const float* __restrict__ B, int ldb, long long strideB,
                                           float beta, float* __restrict__ C, long long strideC, int batch) {
#ifdef VRFM_TF32_WMMA
    using namespace nvcuda;
    constexpr int BM = 64, BN = 64, BK = 16, LDA = BK + 4, LDB = BN + 4, LDC = BN + 4, THREADS = 128;
    // ldm multiples of 4 floats and 32-byte aligned fragment pointers (every offset below is a multiple of 8 floats)
    __shared__ __align__(32) float As[BM * LDA];  // As[i][p] = op(A)[m0 + i][k0 + p]
    __shared__ __align__(32) float Bs[BK * LDB];  // Bs[p][j] = op(B)[k0 + p][n0 + j]
    __shared__ __align__(32) float Cs[BM * LDC];
    const int tid = threadIdx.x, warp = tid / 32;
    const int wm = (warp / 2) * 32, wn = (warp % 2) * 32;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    for (int bz = blockIdx.z; bz < batch; bz += gridDim.z) {
        const float* Ab = A + (long long)bz * strideA;
        const float* Bb = B + (long long)bz * strideB;
        float* Cb = C + (long long)bz * strideC;
        wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[2][2];
#pragma unroll
        for (int i = 0; i < 2; ++i)
#pragma unroll
            for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);

        for (int k0 = 0; k0 < k; k0 += BK) {
#pragma unroll 2
            for (int q = 0; q < BM * BK / THREADS; ++q) {  // consecutive threads walk A's contiguous dimension
                int e = tid + THREADS * q, i, p;
                if (transA) { p = e / BM; i = e % BM; } else { i = e / BK; p = e % BK; }
                int gi = m0 + i, gp = k0 + p;
                float v = 0.0f;
                if (gi < m && gp < k) v = transA ? Ab[(long long)gp * lda + gi] : Ab[(long long)gi * lda + gp];
                As[i * LDA + p] = wmma::__float_to_tf32(v);
            }
#pragma unroll 2
            for (int q = 0; q < BK * BN / THREADS; ++q) {
                int e = tid + THREADS * q, j, p;
                if (transB) { j = e / BK; p = e % BK; } else { p = e / BN; j = e % BN; }
                int gj = n0 + j, gp = k0 + p;
                float v = 0.0f;
                if (gj < n && gp < k) v = transB ? Bb[(long long)gj * ldb + gp] : Bb[(long long)gp * ldb + gj];
                Bs[p * LDB + j] = wmma::__float_to_tf32(v);
            }
            __syncthreads();
#pragma unroll
            for (int kk = 0; kk < BK; kk += 8) {
                wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fa[2];
                wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fb[2];
#pragma unroll
                for (int f = 0; f < 2; ++f) {
                    wmma::load_matrix_sync(fa[f], As + (wm + 16 * f) * LDA + kk, LDA);
                    wmma::load_matrix_sync(fb[f], Bs + kk * LDB + wn + 16 * f, LDB);
                }
#pragma unroll
                for (int i = 0; i < 2; ++i)
#pragma unroll
                    for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
            }
            __syncthreads();
        }
#pragma unroll
        for (int i = 0; i < 2; ++i)
#pragma unroll
            for (int j = 0; j < 2; ++j)
                wmma::store_matrix_sync(Cs + (wm + 16 * i) * LDC + wn + 16 * j, acc[i][j], LDC, wmma::mem_row_major);
        __syncthreads();
        for (int e = tid; e < BM * BN; e += THREADS) {
            int i = e / BN, j = e % BN, gi = m0 + i, gj = n0 + j;
            if (gi < m && gj < n) {
                long long o = (long long)gi * n + gj;
                float v = alpha * Cs[i * LDC + j];
                Cb[o] = beta == 0.0f ? v : v + beta * Cb[o];
            }
        }
        __syncthreads();  // Cs is reused by the next batch entry
    }
#endif
}
