// CPU twin: io.vrfm.backend.cpu.CpuFlow
// flow.cu - fused flow-matching kernels: reparameterization, Gaussian KL, interpolation, Euler step, MSE.
// Semantics: io.vrfm.backend.Backend#reparameterize* / #gaussianKl* / #interpolate / #eulerStep / #mse*.
#include "common.cuh"

// z = mu + exp(0.5*logvar)*eps.  Launch: block 256, grid min(ceil(n/256), 65535), grid-stride.
extern "C" __global__ void vrfm_reparam_fwd(const float* __restrict__ mu, const float* __restrict__ logvar,
                                            const float* __restrict__ eps, float* __restrict__ z, long long n) {
    VRFM_GRID_LOOP(i, n) { z[i] = mu[i] + expf(0.5f * logvar[i]) * eps[i]; }
}

// gMu = gz, gLogvar = gz*0.5*exp(0.5*logvar)*eps.  Launch: as vrfm_reparam_fwd.
extern "C" __global__ void vrfm_reparam_bwd(const float* __restrict__ logvar, const float* __restrict__ eps,
                                            const float* __restrict__ gz, float* __restrict__ gMu,
                                            float* __restrict__ gLogvar, long long n) {
    VRFM_GRID_LOOP(i, n) {
        float g = gz[i];
        gMu[i] = g;
        gLogvar[i] = g * 0.5f * expf(0.5f * logvar[i]) * eps[i];
    }
}

// kl[r] = -0.5 * sum_j (1 + logvar - mu^2 - exp(logvar)).  Launch: grid (rows), block 256.
extern "C" __global__ void vrfm_gaussian_kl_fwd(const float* __restrict__ mu, const float* __restrict__ logvar,
                                                float* __restrict__ kl, int rows, int cols) {
    __shared__ float scratch[33];
    const int r = blockIdx.x;
    if (r >= rows) return;
    const long long base = (long long)r * cols;
    float s = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float m = mu[base + j], lv = logvar[base + j];
        s += 1.0f + lv - m * m - expf(lv);
    }
    s = vrfm_block_sum(s, scratch);
    if (threadIdx.x == 0) kl[r] = -0.5f * s;
}

// gMu = gKl[r]*mu, gLogvar = gKl[r]*0.5*(exp(logvar) - 1).
// Launch: block 256, grid min(ceil(rows*cols/256), 65535), grid-stride.
extern "C" __global__ void vrfm_gaussian_kl_bwd(const float* __restrict__ mu, const float* __restrict__ logvar,
                                                const float* __restrict__ gKl, float* __restrict__ gMu,
                                                float* __restrict__ gLogvar, int rows, int cols) {
    long long total = (long long)rows * cols;
    VRFM_GRID_LOOP(i, total) {
        float g = gKl[i / cols];
        gMu[i] = g * mu[i];
        gLogvar[i] = g * 0.5f * (expf(logvar[i]) - 1.0f);
    }
}

// xt = (1 - t[r])*x0 + t[r]*x1, target = x1 - x0.
// Launch: block 256, grid min(ceil(rows*cols/256), 65535), grid-stride.
extern "C" __global__ void vrfm_interpolate(const float* __restrict__ x0, const float* __restrict__ x1,
                                            const float* __restrict__ t, float* __restrict__ xt,
                                            float* __restrict__ target, int rows, int cols) {
    long long total = (long long)rows * cols;
    VRFM_GRID_LOOP(i, total) {
        float tv = t[i / cols], a = x0[i], b = x1[i];
        xt[i] = (1.0f - tv) * a + tv * b;
        target[i] = b - a;
    }
}

// x <- x + dt*v (+ noiseScale*noise when noise is not null).  Launch: block 256, grid min(ceil(n/256), 65535).
extern "C" __global__ void vrfm_euler_step(float* __restrict__ x, const float* __restrict__ v, float dt,
                                           const float* __restrict__ noise, float noiseScale, long long n) {
    VRFM_GRID_LOOP(i, n) {
        float xi = x[i] + dt * v[i];
        if (noise) xi += noiseScale * noise[i];
        x[i] = xi;
    }
}

// Stage 1 of mse: partial[blockIdx.x] = sum over this block's grid-stride share of (a-b)^2 / n.
// Stage 2 is vrfm_sum_final (reduce.cu).  Launch: block 256, grid G <= 1024.
extern "C" __global__ void vrfm_mse_partial(const float* __restrict__ a, const float* __restrict__ b,
                                            float* __restrict__ partial, long long n) {
    __shared__ float scratch[33];
    float s = 0.0f;
    VRFM_GRID_LOOP(i, n) {
        float d = a[i] - b[i];
        s += d * d;
    }
    s = vrfm_block_sum(s, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = s / (float)n;
}

// ga = gOut[0]*2*(a - b)/n.  Launch: block 256, grid min(ceil(n/256), 65535), grid-stride.
extern "C" __global__ void vrfm_mse_bwd(const float* __restrict__ a, const float* __restrict__ b,
                                        const float* __restrict__ gOut, float* __restrict__ ga, long long n) {
    const float s = 2.0f * gOut[0] / (float)n;
    VRFM_GRID_LOOP(i, n) { ga[i] = s * (a[i] - b[i]); }
}
