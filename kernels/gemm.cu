// gemm.cu - hand-written tiled SGEMM, the fallback when cuBLAS (libcublas.so.12) cannot load.
// Semantics: io.vrfm.backend.Backend#gemm (row-major, batched, transposes, alpha/beta, any size):
//   C_b = alpha * op(A_b) * op(B_b) + beta * C_b,  op(A) m x k, op(B) k x n, C m x n with leading dim n.
//   op(A)[i,p] = transA ? A[p*lda + i] : A[i*lda + p];  op(B)[p,j] = transB ? B[j*ldb + p] : B[p*ldb + j].
// beta == 0 never reads C (so NaN garbage in C does not leak through).
// Tiling: a block computes a 64 x 64 tile of C with 256 threads (16 x 16); each thread holds a 4 x 4
// register tile (rows ty + 16*a, cols tx + 16*b), K is walked in slices of 16 staged through shared memory.
#include "common.cuh"

#define VRFM_BM 64
#define VRFM_BN 64
#define VRFM_BK 16

// Launch: grid (ceil(n/64), ceil(m/64), min(batch, 65535)), block (16, 16); blockIdx.z strides over batch.
extern "C" __global__ void vrfm_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                                      const float* __restrict__ A, int lda, long long strideA,
                                      const float* __restrict__ B, int ldb, long long strideB,
                                      float beta, float* __restrict__ C, long long strideC, int batch) {
    __shared__ float As[VRFM_BK][VRFM_BM + 1];
    __shared__ float Bs[VRFM_BK][VRFM_BN + 1];
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
    const int m0 = blockIdx.y * VRFM_BM, n0 = blockIdx.x * VRFM_BN;
    for (int bz = blockIdx.z; bz < batch; bz += gridDim.z) {
        const float* Ab = A + (long long)bz * strideA;
        const float* Bb = B + (long long)bz * strideB;
        float* Cb = C + (long long)bz * strideC;
        float acc[4][4];
#pragma unroll
        for (int a = 0; a < 4; ++a)
#pragma unroll
            for (int b = 0; b < 4; ++b) acc[a][b] = 0.0f;

        for (int k0 = 0; k0 < k; k0 += VRFM_BK) {
            // Stage op(A)[m0 .. m0+64, k0 .. k0+16] and op(B)[k0 .. k0+16, n0 .. n0+64]; 4 elements each per thread.
#pragma unroll
            for (int q = 0; q < 4; ++q) {
                int e = tid + 256 * q;
                int i, p;
                if (transA) { p = e / VRFM_BM; i = e % VRFM_BM; } else { i = e / VRFM_BK; p = e % VRFM_BK; }
                int gi = m0 + i, gp = k0 + p;
                float v = 0.0f;
                if (gi < m && gp < k) v = transA ? Ab[(long long)gp * lda + gi] : Ab[(long long)gi * lda + gp];
                As[p][i] = v;
                int j;
                if (transB) { j = e / VRFM_BK; p = e % VRFM_BK; } else { p = e / VRFM_BN; j = e % VRFM_BN; }
                int gj = n0 + j;
                gp = k0 + p;
                float w = 0.0f;
                if (gj < n && gp < k) w = transB ? Bb[(long long)gj * ldb + gp] : Bb[(long long)gp * ldb + gj];
                Bs[p][j] = w;
            }
            __syncthreads();
#pragma unroll
            for (int p = 0; p < VRFM_BK; ++p) {
                float ra[4], rb[4];
#pragma unroll
                for (int a = 0; a < 4; ++a) ra[a] = As[p][ty + 16 * a];
#pragma unroll
                for (int b = 0; b < 4; ++b) rb[b] = Bs[p][tx + 16 * b];
#pragma unroll
                for (int a = 0; a < 4; ++a)
#pragma unroll
                    for (int b = 0; b < 4; ++b) acc[a][b] += ra[a] * rb[b];
            }
            __syncthreads();
        }
#pragma unroll
        for (int a = 0; a < 4; ++a) {
            int gi = m0 + ty + 16 * a;
            if (gi >= m) continue;
#pragma unroll
            for (int b = 0; b < 4; ++b) {
                int gj = n0 + tx + 16 * b;
                if (gj >= n) continue;
                long long e = (long long)gi * n + gj;
                float v = alpha * acc[a][b];
                Cb[e] = beta == 0.0f ? v : v + beta * Cb[e];
            }
        }
    }
}
