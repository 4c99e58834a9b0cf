// CPU twin: io.vrfm.backend.cpu.CpuSoftmax
// softmax.cu - row-wise softmax / log-softmax over `cols` of a rows x cols matrix, forward and backward.
// Semantics: io.vrfm.backend.Backend#softmax / #softmaxBackward.
#include "common.cuh"

// y = exp(x - max) / sum  or  y = x - max - log(sum).  Launch: grid (rows), block 256.
extern "C" __global__ void vrfm_softmax_fwd(const float* __restrict__ x, float* __restrict__ y,
                                            int rows, int cols, int logMode) {
    __shared__ float scratch[33];
    const int r = blockIdx.x;
    if (r >= rows) return;
    const float* xr = x + (long long)r * cols;
    float* yr = y + (long long)r * cols;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, xr[j]);
    m = vrfm_block_max(m, scratch);
    float s = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) s += expf(xr[j] - m);
    s = vrfm_block_sum(s, scratch);
    if (logMode) {
        float ls = logf(s);
        for (int j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = xr[j] - m - ls;
    } else {
        float inv = 1.0f / s;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = expf(xr[j] - m) * inv;
    }
}

// softmax:     gx = y * (gy - sum_j gy*y)
// log-softmax: gx = gy - exp(y) * sum_j gy
// Launch: grid (rows), block 256.
extern "C" __global__ void vrfm_softmax_bwd(const float* __restrict__ y, const float* __restrict__ gy,
                                            float* __restrict__ gx, int rows, int cols, int logMode) {
    __shared__ float scratch[33];
    const int r = blockIdx.x;
    if (r >= rows) return;
    const long long base = (long long)r * cols;
    float s = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) s += logMode ? gy[base + j] : gy[base + j] * y[base + j];
    s = vrfm_block_sum(s, scratch);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float yv = y[base + j], g = gy[base + j];
        gx[base + j] = logMode ? g - expf(yv) * s : yv * (g - s);
    }
}
