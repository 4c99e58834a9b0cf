// CPU twin: io.vrfm.backend.cpu.CpuGemm (over Sgemm)
// gemm.cu - hand-written tiled SGEMM, the fallback when cuBLAS (libcublas.so.12) cannot load.
// Semantics: io.vrfm.backend.Backend#gemm (row-major, batched, transposes, alpha/beta, any size):
//   C_b = alpha * op(A_b) * op(B_b) + beta * C_b,  op(A) m x k, op(B) k x n, C m x n with leading dim n.
//   op(A)[i,p] = transA ? A[p*lda + i] : A[i*lda + p];  op(B)[p,j] = transB ? B[j*ldb + p] : B[p*ldb + j].
// beta == 0 never reads C (so NaN garbage in C does not leak through).
// Tiling: 256 threads (16 x 16) compute a (16*TM) x (16*TM) tile of C; each thread holds a TM x TM register
// tile at rows ty + 16*a and cols tx + 16*b (so shared-memory reads are broadcast / conflict-free), and K is
// walked in slices of BK staged through shared memory (every thread stages BM*BK/256 = 4 floats of A and of B).
#include "common.cuh"

template <int TM, int BK>
static __device__ __forceinline__ void vrfm_sgemm_tile(int transA, int transB, int m, int n, int k, float alpha,
                                                       const float* __restrict__ A, int lda, long long strideA,
                                                       const float* __restrict__ B, int ldb, long long strideB,
                                                       float beta, float* __restrict__ C, long long strideC, int batch) {
    constexpr int BM = 16 * TM, BN = 16 * TM, LOADS = BM * BK / 256;
    __shared__ float As[BK][BM + 1];
    __shared__ float Bs[BK][BN + 1];
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    for (int bz = blockIdx.z; bz < batch; bz += gridDim.z) {
        const float* Ab = A + (long long)bz * strideA;
        const float* Bb = B + (long long)bz * strideB;
        float* Cb = C + (long long)bz * strideC;
        float acc[TM][TM];
#pragma unroll
        for (int a = 0; a < TM; ++a)
#pragma unroll
            for (int b = 0; b < TM; ++b) acc[a][b] = 0.0f;

        for (int k0 = 0; k0 < k; k0 += BK) {
#pragma unroll
            for (int q = 0; q < LOADS; ++q) {
                int e = tid + 256 * q;
                int i, p;
                if (transA) { p = e / BM; i = e % BM; } else { i = e / BK; p = e % BK; }
                int gi = m0 + i, gp = k0 + p;
                float v = 0.0f;
                if (gi < m && gp < k) v = transA ? Ab[(long long)gp * lda + gi] : Ab[(long long)gi * lda + gp];
                As[p][i] = v;
                int j;
                if (transB) { j = e / BK; p = e % BK; } else { p = e / BN; j = e % BN; }
                int gj = n0 + j;
                gp = k0 + p;
                float w = 0.0f;
                if (gj < n && gp < k) w = transB ? Bb[(long long)gj * ldb + gp] : Bb[(long long)gp * ldb + gj];
                Bs[p][j] = w;
            }
            __syncthreads();
#pragma unroll
            for (int p = 0; p < BK; ++p) {
                float ra[TM], rb[TM];
#pragma unroll
                for (int a = 0; a < TM; ++a) ra[a] = As[p][ty + 16 * a];
#pragma unroll
                for (int b = 0; b < TM; ++b) rb[b] = Bs[p][tx + 16 * b];
#pragma unroll
                for (int a = 0; a < TM; ++a)
#pragma unroll
                    for (int b = 0; b < TM; ++b) acc[a][b] += ra[a] * rb[b];
            }
            __syncthreads();
        }
#pragma unroll
        for (int a = 0; a < TM; ++a) {
            int gi = m0 + ty + 16 * a;
            if (gi >= m) continue;
#pragma unroll
            for (int b = 0; b < TM; ++b) {
                int gj = n0 + tx + 16 * b;
                if (gj >= n) continue;
                long long e = (long long)gi * n + gj;
                float v = alpha * acc[a][b];
                Cb[e] = beta == 0.0f ? v : v + beta * Cb[e];
            }
        }
    }
}

// 64 x 64 tiles, 4 x 4 per thread, BK 16: small and medium products.
// Launch: grid (ceil(n/64), ceil(m/64), min(batch, 65535)), block (16, 16); blockIdx.z strides over batch.
extern "C" __global__ void vrfm_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                                      const float* __restrict__ A, int lda, long long strideA,
                                      const float* __restrict__ B, int ldb, long long strideB,
                                      float beta, float* __restrict__ C, long long strideC, int batch) {
    vrfm_sgemm_tile<4, 16>(transA, transB, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, strideC, batch);
}

// 128 x 128 tiles, 8 x 8 per thread (4 FMAs per shared-memory load), BK 8: large products.
// Launch: grid (ceil(n/128), ceil(m/128), min(batch, 65535)), block (16, 16); blockIdx.z strides over batch.
extern "C" __global__ void vrfm_sgemm_big(int transA, int transB, int m, int n, int k, float alpha,
                                          const float* __restrict__ A, int lda, long long strideA,
                                          const float* __restrict__ B, int ldb, long long strideB,
                                          float beta, float* __restrict__ C, long long strideC, int batch) {
    vrfm_sgemm_tile<8, 8>(transA, transB, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, strideC, batch);
}
