// CPU twin: io.vrfm.backend.cpu.CpuAdam
// adam.cu - fused in-place AdamW step. Semantics: io.vrfm.backend.Backend#adamwStep.
//   m <- b1*m + (1-b1)*g;  v <- b2*v + (1-b2)*g^2;
//   p <- p - lr*(wd*p + mhat/(sqrt(vhat) + eps)),  mhat = m/bc1, vhat = v/bc2,
// with bc1 = 1 - b1^step, bc2 = 1 - b2^step computed by the host (in double, rounded to float).
#include "common.cuh"

// Launch: block 256, grid min(ceil(n/256), 65535), grid-stride.
extern "C" __global__ void vrfm_adamw_step(float* __restrict__ param, const float* __restrict__ grad,
                                           float* __restrict__ m, float* __restrict__ v, long long n,
                                           float lr, float beta1, float beta2, float eps, float weightDecay,
                                           float bc1, float bc2) {
    VRFM_GRID_LOOP(i, n) {
        float g = grad[i], p = param[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        float mhat = mi / bc1, vhat = vi / bc2;
        param[i] = p - lr * (weightDecay * p + mhat / (sqrtf(vhat) + eps));
    }
}
