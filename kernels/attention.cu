// CPU twin: io.vrfm.backend.cpu.CpuAttention
// attention.cu - fused scaled-dot-product self-attention, forward and backward (flash-attention style).
// Semantics: io.vrfm.backend.Backend#attention / #attentionBackward. Tensors are [batchHeads, seq, headDim],
// row-major; headDim <= VRFM_ATT_MAX_D (the host checks). No seq x seq matrix ever reaches global memory: the
// forward keeps a running max / sum per query row (online softmax) and writes the row's log-sum-exp; the
// backward recomputes the probabilities from it.
//
// Layout of every kernel here: one warp per row (a query row, or a key row for dK/dV), VRFM_ATT_ROWS warps per
// block; the other side is streamed through shared memory in tiles of VRFM_ATT_TILE rows; within a tile lane j
// owns the score of tile row j, and lane e owns output columns e, e+32, e+64, e+96.
// Launch: grid (ceil(seq / VRFM_ATT_ROWS), batchHeads), block 32 * VRFM_ATT_ROWS.
#include "common.cuh"

#define VRFM_ATT_MAX_D 128
#define VRFM_ATT_TILE 32
#define VRFM_ATT_ROWS 8
#define VRFM_ATT_PER_LANE (VRFM_ATT_MAX_D / 32)

static __device__ __forceinline__ float vrfm_warp_allsum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;  // every lane holds the total
}

static __device__ __forceinline__ float vrfm_warp_allmax(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Loads rows [r0, r0 + n) of a [seq, headDim] slice into tile[row][col] (row stride `ld`) with the whole block.
static __device__ __forceinline__ void vrfm_att_load(float* tile, int ld, const float* src, int r0, int n,
                                                     int headDim) {
    for (int idx = threadIdx.x; idx < n * headDim; idx += blockDim.x) {
        int j = idx / headDim, c = idx - j * headDim;
        tile[j * ld + c] = src[(long long)(r0 + j) * headDim + c];
    }
}

// out = softmax(scale * q k^T) v, lse = log-sum-exp of each score row.
extern "C" __global__ void vrfm_attention_fwd(const float* __restrict__ q, const float* __restrict__ k,
                                              const float* __restrict__ v, float* __restrict__ out,
                                              float* __restrict__ lse, int batchHeads, int seq, int headDim,
                                              float scale) {
    __shared__ float ks[VRFM_ATT_TILE * (VRFM_ATT_MAX_D + 1)];
    __shared__ float vs[VRFM_ATT_TILE * VRFM_ATT_MAX_D];
    __shared__ float qs[VRFM_ATT_ROWS * VRFM_ATT_MAX_D];
    __shared__ float ps[VRFM_ATT_ROWS * VRFM_ATT_TILE];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int b = blockIdx.y;
    const int row = blockIdx.x * VRFM_ATT_ROWS + warp;
    const bool valid = row < seq && b < batchHeads;
    const long long base = (long long)b * seq * headDim;
    const int ldk = VRFM_ATT_MAX_D + 1;
    for (int c = lane; c < headDim; c += 32) qs[warp * VRFM_ATT_MAX_D + c] = valid ? q[base + (long long)row * headDim + c] : 0.0f;
    float o[VRFM_ATT_PER_LANE];
    for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) o[e] = 0.0f;
    float m = -INFINITY, l = 0.0f;
    for (int j0 = 0; j0 < seq; j0 += VRFM_ATT_TILE) {
        const int tk = min(VRFM_ATT_TILE, seq - j0);
        __syncthreads();  // the previous tile is consumed (and qs is written, first time round)
        vrfm_att_load(ks, ldk, k + base, j0, tk, headDim);
        vrfm_att_load(vs, VRFM_ATT_MAX_D, v + base, j0, tk, headDim);
        __syncthreads();
        float s = -INFINITY;
        if (lane < tk) {
            float d = 0.0f;
            for (int c = 0; c < headDim; ++c) d += qs[warp * VRFM_ATT_MAX_D + c] * ks[lane * ldk + c];
            s = d * scale;
        }
        const float mNew = fmaxf(m, vrfm_warp_allmax(s));
        const float p = lane < tk ? expf(s - mNew) : 0.0f;
        const float corr = expf(m - mNew);  // 0 on the first tile (m = -inf)
        l = l * corr + vrfm_warp_allsum(p);
        m = mNew;
        ps[warp * VRFM_ATT_TILE + lane] = p;
        __syncwarp();
        for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) {
            const int c = lane + 32 * e;
            if (c >= headDim) break;
            float acc = o[e] * corr;
            for (int j = 0; j < tk; ++j) acc += ps[warp * VRFM_ATT_TILE + j] * vs[j * VRFM_ATT_MAX_D + c];
            o[e] = acc;
        }
        __syncwarp();
    }
    if (!valid) return;
    const float inv = 1.0f / l;
    for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) {
        const int c = lane + 32 * e;
        if (c < headDim) out[base + (long long)row * headDim + c] = o[e] * inv;
    }
    if (lane == 0) lse[(long long)b * seq + row] = m + logf(l);
}

// Backward, part 1 (one warp per query row): D_i = gOut_i . out_i (written to dsum for part 2) and
// gq_i = scale * sum_j P_ij (gOut_i . v_j - D_i) k_j with P_ij = exp(scale q_i . k_j - lse_i).
extern "C" __global__ void vrfm_attention_bwd_dq(const float* __restrict__ q, const float* __restrict__ k,
                                                 const float* __restrict__ v, const float* __restrict__ out,
                                                 const float* __restrict__ lse, const float* __restrict__ gOut,
                                                 float* __restrict__ gq, float* __restrict__ dsum,
                                                 int batchHeads, int seq, int headDim, float scale) {
    __shared__ float ks[VRFM_ATT_TILE * (VRFM_ATT_MAX_D + 1)];
    __shared__ float vs[VRFM_ATT_TILE * (VRFM_ATT_MAX_D + 1)];
    __shared__ float qs[VRFM_ATT_ROWS * VRFM_ATT_MAX_D];
    __shared__ float gs[VRFM_ATT_ROWS * VRFM_ATT_MAX_D];
    __shared__ float dss[VRFM_ATT_ROWS * VRFM_ATT_TILE];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int b = blockIdx.y;
    const int row = blockIdx.x * VRFM_ATT_ROWS + warp;
    const bool valid = row < seq && b < batchHeads;
    const long long base = (long long)b * seq * headDim;
    const long long r = base + (long long)row * headDim;
    const int ld = VRFM_ATT_MAX_D + 1;
    float dpart = 0.0f;
    for (int c = lane; c < headDim; c += 32) {
        const float g = valid ? gOut[r + c] : 0.0f;
        qs[warp * VRFM_ATT_MAX_D + c] = valid ? q[r + c] : 0.0f;
        gs[warp * VRFM_ATT_MAX_D + c] = g;
        dpart += valid ? g * out[r + c] : 0.0f;
    }
    const float dRow = vrfm_warp_allsum(dpart);
    const float lRow = valid ? lse[(long long)b * seq + row] : 0.0f;
    if (valid && lane == 0) dsum[(long long)b * seq + row] = dRow;
    float acc[VRFM_ATT_PER_LANE];
    for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) acc[e] = 0.0f;
    for (int j0 = 0; j0 < seq; j0 += VRFM_ATT_TILE) {
        const int tk = min(VRFM_ATT_TILE, seq - j0);
        __syncthreads();
        vrfm_att_load(ks, ld, k + base, j0, tk, headDim);
        vrfm_att_load(vs, ld, v + base, j0, tk, headDim);
        __syncthreads();
        float ds = 0.0f;
        if (lane < tk) {
            float s = 0.0f, dp = 0.0f;
            for (int c = 0; c < headDim; ++c) {
                s += qs[warp * VRFM_ATT_MAX_D + c] * ks[lane * ld + c];
                dp += gs[warp * VRFM_ATT_MAX_D + c] * vs[lane * ld + c];
            }
            const float p = expf(s * scale - lRow);
            ds = p * (dp - dRow);
        }
        dss[warp * VRFM_ATT_TILE + lane] = ds;
        __syncwarp();
        for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) {
            const int c = lane + 32 * e;
            if (c >= headDim) break;
            float a = acc[e];
            for (int j = 0; j < tk; ++j) a += dss[warp * VRFM_ATT_TILE + j] * ks[j * ld + c];
            acc[e] = a;
        }
        __syncwarp();
    }
    if (!valid) return;
    for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) {
        const int c = lane + 32 * e;
        if (c < headDim) gq[r + c] = acc[e] * scale;
    }
}

// Backward, part 2 (one warp per key row j; needs dsum from part 1): gv_j = sum_i P_ij gOut_i,
// gk_j = scale * sum_i P_ij (gOut_i . v_j - D_i) q_i. Each output row is owned by one warp: no atomics.
extern "C" __global__ void vrfm_attention_bwd_dkdv(const float* __restrict__ q, const float* __restrict__ k,
                                                   const float* __restrict__ v, const float* __restrict__ lse,
                                                   const float* __restrict__ gOut, const float* __restrict__ dsum,
                                                   float* __restrict__ gk, float* __restrict__ gv,
                                                   int batchHeads, int seq, int headDim, float scale) {
    __shared__ float qs[VRFM_ATT_TILE * (VRFM_ATT_MAX_D + 1)];
    __shared__ float gs[VRFM_ATT_TILE * (VRFM_ATT_MAX_D + 1)];
    __shared__ float krow[VRFM_ATT_ROWS * VRFM_ATT_MAX_D];
    __shared__ float vrow[VRFM_ATT_ROWS * VRFM_ATT_MAX_D];
    __shared__ float ps[VRFM_ATT_ROWS * VRFM_ATT_TILE];
    __shared__ float dss[VRFM_ATT_ROWS * VRFM_ATT_TILE];
    __shared__ float lt[VRFM_ATT_TILE];
    __shared__ float dt[VRFM_ATT_TILE];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int b = blockIdx.y;
    const int row = blockIdx.x * VRFM_ATT_ROWS + warp;
    const bool valid = row < seq && b < batchHeads;
    const long long base = (long long)b * seq * headDim;
    const long long r = base + (long long)row * headDim;
    const int ld = VRFM_ATT_MAX_D + 1;
    for (int c = lane; c < headDim; c += 32) {
        krow[warp * VRFM_ATT_MAX_D + c] = valid ? k[r + c] : 0.0f;
        vrow[warp * VRFM_ATT_MAX_D + c] = valid ? v[r + c] : 0.0f;
    }
    float ak[VRFM_ATT_PER_LANE], av[VRFM_ATT_PER_LANE];
    for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) ak[e] = av[e] = 0.0f;
    for (int i0 = 0; i0 < seq; i0 += VRFM_ATT_TILE) {
        const int tq = min(VRFM_ATT_TILE, seq - i0);
        __syncthreads();
        vrfm_att_load(qs, ld, q + base, i0, tq, headDim);
        vrfm_att_load(gs, ld, gOut + base, i0, tq, headDim);
        for (int i = threadIdx.x; i < tq; i += blockDim.x) {
            lt[i] = lse[(long long)b * seq + i0 + i];
            dt[i] = dsum[(long long)b * seq + i0 + i];
        }
        __syncthreads();
        float p = 0.0f, ds = 0.0f;
        if (lane < tq) {
            float s = 0.0f, dp = 0.0f;
            for (int c = 0; c < headDim; ++c) {
                s += qs[lane * ld + c] * krow[warp * VRFM_ATT_MAX_D + c];
                dp += gs[lane * ld + c] * vrow[warp * VRFM_ATT_MAX_D + c];
            }
            p = expf(s * scale - lt[lane]);
            ds = p * (dp - dt[lane]);
        }
        ps[warp * VRFM_ATT_TILE + lane] = p;
        dss[warp * VRFM_ATT_TILE + lane] = ds;
        __syncwarp();
        for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) {
            const int c = lane + 32 * e;
            if (c >= headDim) break;
            float a = ak[e], w = av[e];
            for (int i = 0; i < tq; ++i) {
                a += dss[warp * VRFM_ATT_TILE + i] * qs[i * ld + c];
                w += ps[warp * VRFM_ATT_TILE + i] * gs[i * ld + c];
            }
            ak[e] = a;
            av[e] = w;
        }
        __syncwarp();
    }
    if (!valid) return;
    for (int e = 0; e < VRFM_ATT_PER_LANE; ++e) {
        const int c = lane + 32 * e;
        if (c < headDim) {
            gk[r + c] = ak[e] * scale;
            gv[r + c] = av[e];
        }
    }
}
