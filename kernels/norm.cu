// CPU twin: io.vrfm.backend.cpu.CpuNorm
// norm.cu - layer norm and group norm, forward and backward (incl. gamma/beta gradients).
// Semantics: io.vrfm.backend.Backend#layerNorm / #layerNormBackward / #groupNorm / #groupNormBackward.
// Statistics: biased (population) variance, rstd = 1 / sqrt(var + eps), two passes over the data.
// gamma / beta / gGamma / gBeta may be null pointers (no affine).
#include "common.cuh"

// Normalizes `len` contiguous floats at x (one block), affine per element via chan(e) -> index.
// Launch (both callers): one block per normalized group, block 256.
static __device__ __forceinline__ void vrfm_norm_stats(const float* x, long long len, float eps, float* scratch,
                                                       float* meanOut, float* rstdOut) {
    float s = 0.0f;
    for (long long e = threadIdx.x; e < len; e += blockDim.x) s += x[e];
    float mean = vrfm_block_sum(s, scratch) / (float)len;
    float q = 0.0f;
    for (long long e = threadIdx.x; e < len; e += blockDim.x) {
        float d = x[e] - mean;
        q += d * d;
    }
    float var = vrfm_block_sum(q, scratch) / (float)len;
    *meanOut = mean;
    *rstdOut = 1.0f / sqrtf(var + eps);
}

// y = (x - mean) * rstd * gamma + beta over the last `cols` of each row; saves mean[r], rstd[r].
// Launch: grid (rows), block 256.
extern "C" __global__ void vrfm_layernorm_fwd(const float* __restrict__ x, const float* __restrict__ gamma,
                                              const float* __restrict__ beta, float* __restrict__ y,
                                              float* __restrict__ mean, float* __restrict__ rstd,
                                              int rows, int cols, float eps) {
    __shared__ float scratch[33];
    const int r = blockIdx.x;
    if (r >= rows) return;
    const float* xr = x + (long long)r * cols;
    float* yr = y + (long long)r * cols;
    float mu, rs;
    vrfm_norm_stats(xr, cols, eps, scratch, &mu, &rs);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float v = (xr[j] - mu) * rs;
        if (gamma) v *= gamma[j];
        if (beta) v += beta[j];
        yr[j] = v;
    }
    if (threadIdx.x == 0) { mean[r] = mu; rstd[r] = rs; }
}

// gx for one row: gx = rstd * (dxh - mean(dxh) - xhat * mean(dxh * xhat)), dxh = gy * gamma.
// Launch: grid (rows), block 256.
extern "C" __global__ void vrfm_layernorm_bwd(const float* __restrict__ x, const float* __restrict__ gamma,
                                              const float* __restrict__ mean, const float* __restrict__ rstd,
                                              const float* __restrict__ gy, float* __restrict__ gx,
                                              int rows, int cols) {
    __shared__ float scratch[33];
    const int r = blockIdx.x;
    if (r >= rows) return;
    const long long base = (long long)r * cols;
    const float mu = mean[r], rs = rstd[r];
    float s1 = 0.0f, s2 = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float dxh = gy[base + j] * (gamma ? gamma[j] : 1.0f);
        float xh = (x[base + j] - mu) * rs;
        s1 += dxh;
        s2 += dxh * xh;
    }
    s1 = vrfm_block_sum(s1, scratch) / (float)cols;
    s2 = vrfm_block_sum(s2, scratch) / (float)cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float dxh = gy[base + j] * (gamma ? gamma[j] : 1.0f);
        float xh = (x[base + j] - mu) * rs;
        gx[base + j] = rs * (dxh - s1 - xh * s2);
    }
}

// Stage 1 of the layer-norm parameter gradients, chunked over rows (deterministic, no atomics):
// partialG[c, j] = sum over rows r in chunk c of gy[r,j] * xhat[r,j], partialB[c, j] = sum of gy[r,j].
// Stage 2 sums the chunks with vrfm_reduce_cols (outer 1, n = chunks, inner = cols) into gGamma / gBeta.
// Block (bx, c): columns [32*bx, 32*bx + 32) (threadIdx.x, coalesced), rows of chunk c strided by threadIdx.y.
// Launch: grid (ceil(cols/32), chunks), block (32, 8).
extern "C" __global__ void vrfm_layernorm_bwd_params_partial(const float* __restrict__ x, const float* __restrict__ mean,
                                                             const float* __restrict__ rstd, const float* __restrict__ gy,
                                                             float* __restrict__ partialG, float* __restrict__ partialB,
                                                             int rows, int cols, int chunk) {
    __shared__ float tg[8][33];
    __shared__ float tb[8][33];
    const int j = blockIdx.x * 32 + threadIdx.x, c = blockIdx.y;
    float sg = 0.0f, sb = 0.0f;
    if (j < cols) {
        const int r1 = min(rows, (c + 1) * chunk);
        for (int r = c * chunk + threadIdx.y; r < r1; r += 8) {
            long long e = (long long)r * cols + j;
            float g = gy[e];
            sg += g * (x[e] - mean[r]) * rstd[r];
            sb += g;
        }
    }
    tg[threadIdx.y][threadIdx.x] = sg;
    tb[threadIdx.y][threadIdx.x] = sb;
    __syncthreads();
    if (threadIdx.y == 0 && j < cols) {
        for (int y = 1; y < 8; ++y) {
            sg += tg[y][threadIdx.x];
            sb += tb[y][threadIdx.x];
        }
        partialG[(long long)c * cols + j] = sg;
        partialB[(long long)c * cols + j] = sb;
    }
}

// Group norm of NCHW x: block b = ni*groups + g normalizes channels [g*cpg, (g+1)*cpg) of image ni
// (cpg*hw contiguous floats); per-channel affine; saves mean/rstd[ni*groups + g].
// Launch: grid (n*groups), block 256.
extern "C" __global__ void vrfm_groupnorm_fwd(const float* __restrict__ x, const float* __restrict__ gamma,
                                              const float* __restrict__ beta, float* __restrict__ y,
                                              float* __restrict__ mean, float* __restrict__ rstd,
                                              int n, int c, int hw, int groups, float eps) {
    __shared__ float scratch[33];
    const int b = blockIdx.x;
    if (b >= n * groups) return;
    const int cpg = c / groups, g = b % groups;
    const long long len = (long long)cpg * hw, base = (long long)b * len;
    float mu, rs;
    vrfm_norm_stats(x + base, len, eps, scratch, &mu, &rs);
    for (long long e = threadIdx.x; e < len; e += blockDim.x) {
        int ch = g * cpg + (int)(e / hw);
        float v = (x[base + e] - mu) * rs;
        if (gamma) v *= gamma[ch];
        if (beta) v += beta[ch];
        y[base + e] = v;
    }
    if (threadIdx.x == 0) { mean[b] = mu; rstd[b] = rs; }
}

// gx of group norm, one block per (image, group).  Launch: grid (n*groups), block 256.
extern "C" __global__ void vrfm_groupnorm_bwd(const float* __restrict__ x, const float* __restrict__ gamma,
                                              const float* __restrict__ mean, const float* __restrict__ rstd,
                                              const float* __restrict__ gy, float* __restrict__ gx,
                                              int n, int c, int hw, int groups) {
    __shared__ float scratch[33];
    const int b = blockIdx.x;
    if (b >= n * groups) return;
    const int cpg = c / groups, g = b % groups;
    const long long len = (long long)cpg * hw, base = (long long)b * len;
    const float mu = mean[b], rs = rstd[b];
    float s1 = 0.0f, s2 = 0.0f;
    for (long long e = threadIdx.x; e < len; e += blockDim.x) {
        int ch = g * cpg + (int)(e / hw);
        float dxh = gy[base + e] * (gamma ? gamma[ch] : 1.0f);
        float xh = (x[base + e] - mu) * rs;
        s1 += dxh;
        s2 += dxh * xh;
    }
    s1 = vrfm_block_sum(s1, scratch) / (float)len;
    s2 = vrfm_block_sum(s2, scratch) / (float)len;
    for (long long e = threadIdx.x; e < len; e += blockDim.x) {
        int ch = g * cpg + (int)(e / hw);
        float dxh = gy[base + e] * (gamma ? gamma[ch] : 1.0f);
        float xh = (x[base + e] - mu) * rs;
        gx[base + e] = rs * (dxh - s1 - xh * s2);
    }
}

// Per-channel gGamma[ch] = sum_{ni,hw} gy * xhat, gBeta[ch] = sum gy (overwritten; either may be null).
// Launch: grid (c), block 256.
extern "C" __global__ void vrfm_groupnorm_bwd_params(const float* __restrict__ x, const float* __restrict__ mean,
                                                     const float* __restrict__ rstd, const float* __restrict__ gy,
                                                     float* __restrict__ gGamma, float* __restrict__ gBeta,
                                                     int n, int c, int hw, int groups) {
    __shared__ float scratch[33];
    const int ch = blockIdx.x;
    if (ch >= c) return;
    const int g = ch / (c / groups);
    float sg = 0.0f, sb = 0.0f;
    const long long per = (long long)n * hw;
    for (long long t = threadIdx.x; t < per; t += blockDim.x) {
        int ni = (int)(t / hw);
        long long e = ((long long)ni * c + ch) * hw + t % hw;
        int s = ni * groups + g;
        float gv = gy[e];
        sg += gv * (x[e] - mean[s]) * rstd[s];
        sb += gv;
    }
    sg = vrfm_block_sum(sg, scratch);
    sb = vrfm_block_sum(sb, scratch);
    if (threadIdx.x == 0) {
        if (gGamma) gGamma[ch] = sg;
        if (gBeta) gBeta[ch] = sb;
    }
}
