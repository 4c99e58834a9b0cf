package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;

import static io.vrfm.backend.cpu.CpuBackend.GRAIN;
import static io.vrfm.backend.cpu.CpuBuffer.d;
import static io.vrfm.backend.cpu.CpuBuffer.i;

/**
 * CPU twin of {@code kernels/adam.cu}. The AdamW step (bias corrections in double, update in float). One static
 * method per {@link io.vrfm.backend.Backend} primitive, named alike; {@link CpuBackend} delegates here.
 */
final class CpuAdam {
    private CpuAdam() {
    }

    static void adamwStep(Buffer param, Buffer grad, Buffer m, Buffer v, long n,
                          float lr, float beta1, float beta2, float eps, float weightDecay, int step, CpuParallel par) {
        float[] p = d(param), g = d(grad), ms = d(m), vs = d(v);
        float bc1 = (float) (1.0 - Math.pow(beta1, step));
        float bc2 = (float) (1.0 - Math.pow(beta2, step));
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                float gk = g[k];
                float mk = beta1 * ms[k] + (1f - beta1) * gk;
                float vk = beta2 * vs[k] + (1f - beta2) * gk * gk;
                ms[k] = mk;
                vs[k] = vk;
                float mHat = mk / bc1, vHat = vk / bc2;
                p[k] -= lr * (weightDecay * p[k] + mHat / ((float) Math.sqrt(vHat) + eps));
            }
        });
    }
}
