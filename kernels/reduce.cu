// CPU twin: io.vrfm.backend.cpu.CpuReduce
// reduce.cu - ReduceOp (SUM = 0, MAX = 1) over the middle axis of x viewed as [outer, n, inner].
// Semantics: io.vrfm.backend.Backend#reduce.  out is [outer, inner].
#include "common.cuh"

// inner == 1: one block per row o, out[o] = op_j x[o*n + j]; warp-shuffle + shared-memory block reduction.
// Launch: grid (outer), block 256.
extern "C" __global__ void vrfm_reduce_rows(int op, const float* __restrict__ x, float* __restrict__ out,
                                            int outer, int n) {
    __shared__ float scratch[33];
    const long long o = blockIdx.x;
    if (o >= outer) return;
    const float* row = x + o * (long long)n;
    float acc = op == 0 ? 0.0f : -INFINITY;
    for (int j = threadIdx.x; j < n; j += blockDim.x) acc = op == 0 ? acc + row[j] : fmaxf(acc, row[j]);
    acc = op == 0 ? vrfm_block_sum(acc, scratch) : vrfm_block_max(acc, scratch);
    if (threadIdx.x == 0) out[o] = acc;
}

// inner > 1: one thread per output (o, i) walking j (coalesced across i).
// Launch: block 256, grid min(ceil(outer*inner/256), 65535), grid-stride loop.
extern "C" __global__ void vrfm_reduce_cols(int op, const float* __restrict__ x, float* __restrict__ out,
                                            int outer, int n, int inner) {
    long long total = (long long)outer * inner;
    VRFM_GRID_LOOP(t, total) {
        long long o = t / inner, i = t % inner;
        const float* p = x + o * (long long)n * inner + i;
        float acc = op == 0 ? 0.0f : -INFINITY;
        for (int j = 0; j < n; ++j) {
            float v = p[(long long)j * inner];
            acc = op == 0 ? acc + v : fmaxf(acc, v);
        }
        out[t] = acc;
    }
}

// Many rows, few outputs (e.g. a bias gradient over a large batch): stage 1 of a chunked column reduction.
// Block (bx, c, o) reduces columns [32*bx, 32*bx + 32) of outer slice o over rows [c*chunk, (c+1)*chunk):
// threadIdx.x picks the column (coalesced), threadIdx.y strides the rows, then a shared-memory tree over y.
// partial is [outer, chunks, inner]; stage 2 is vrfm_reduce_cols over the chunks axis.
// Launch: grid (ceil(inner/32), chunks, outer <= 65535), block (32, 8).
extern "C" __global__ void vrfm_reduce_cols_chunked(int op, const float* __restrict__ x, float* __restrict__ partial,
                                                    int outer, int n, int inner, int chunk) {
    __shared__ float tile[8][33];
    const int i = blockIdx.x * 32 + threadIdx.x, c = blockIdx.y, o = blockIdx.z, chunks = gridDim.y;
    float acc = op == 0 ? 0.0f : -INFINITY;
    if (i < inner) {
        const int j0 = c * chunk, j1 = min(n, j0 + chunk);
        const float* p = x + (long long)o * n * inner + i;
        for (int j = j0 + threadIdx.y; j < j1; j += 8) {
            float v = p[(long long)j * inner];
            acc = op == 0 ? acc + v : fmaxf(acc, v);
        }
    }
    tile[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && i < inner) {
        float r = tile[0][threadIdx.x];
        for (int y = 1; y < 8; ++y) r = op == 0 ? r + tile[y][threadIdx.x] : fmaxf(r, tile[y][threadIdx.x]);
        partial[((long long)o * chunks + c) * inner + i] = r;
    }
}

// Stage 1 of a full sum: partial[blockIdx.x] = scale * sum of this block's grid-stride share of x[0..n).
// Launch: block 256, grid G <= 1024 (partial has G slots).
extern "C" __global__ void vrfm_sum_partial(const float* __restrict__ x, float* __restrict__ partial,
                                            long long n, float scale) {
    __shared__ float scratch[33];
    float acc = 0.0f;
    VRFM_GRID_LOOP(i, n) acc += x[i];
    acc = vrfm_block_sum(acc, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = acc * scale;
}

// Stage 2: out[0] = sum of partial[0..g).  Launch: grid 1, block 1024 (or any multiple of 32).
extern "C" __global__ void vrfm_sum_final(const float* __restrict__ partial, float* __restrict__ out, int g) {
    __shared__ float scratch[33];
    float acc = 0.0f;
    for (int i = threadIdx.x; i < g; i += blockDim.x) acc += partial[i];
    acc = vrfm_block_sum(acc, scratch);
    if (threadIdx.x == 0) out[0] = acc;
}
