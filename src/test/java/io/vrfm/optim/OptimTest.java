package io.vrfm.optim;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class OptimTest {
    private final Backend be = new CpuBackend(1);

    /** Two AdamW steps computed by hand in double precision. */
    @Test
    void adamwMatchesHandComputedSteps() {
        Tensor p = Tensor.of(be, new float[]{1.0f, -2.0f}, 2).requiresGrad(true);
        float lr = 0.1f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f;
        AdamW opt = new AdamW(Map.of("p", p), lr, b1, b2, eps, wd);
        double[] param = {1.0, -2.0}, m = new double[2], v = new double[2];
        double[][] grads = {{0.5, -1.0}, {0.25, 3.0}};
        for (int step = 1; step <= 2; step++) {
            p.setGrad(Tensor.of(be, new float[]{(float) grads[step - 1][0], (float) grads[step - 1][1]}, 2));
            opt.step();
            for (int i = 0; i < 2; i++) {
                double g = grads[step - 1][i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mh = m[i] / (1 - Math.pow(b1, step)), vh = v[i] / (1 - Math.pow(b2, step));
                param[i] = param[i] - lr * wd * param[i] - lr * mh / (Math.sqrt(vh) + eps);
            }
            float[] got = p.toArray();
            assertEquals(param[0], got[0], 1e-5);
            assertEquals(param[1], got[1], 1e-5);
        }
    }

    @Test
    void emaTracksTheAverage() {
        Tensor p = Tensor.of(be, new float[]{0f}, 1).requiresGrad(true);
        Ema ema = new Ema(Map.of("p", p), 0.5f);
        be.fill(p.buffer(), 0, 1, 4f);
        ema.update(); // 0.5*0 + 0.5*4 = 2
        be.fill(p.buffer(), 0, 1, 8f);
        ema.update(); // 0.5*2 + 0.5*8 = 5
        assertEquals(5f, ema.shadow().get("p").item(), 1e-6f);
        ema.swap();
        assertEquals(5f, p.item(), 1e-6f);
        ema.swap();
        assertEquals(8f, p.item(), 1e-6f);
    }

    @Test
    void clippingScalesToTheMaximumNormAndReportsTheOriginal() {
        Tensor a = Tensor.zeros(be, 2).requiresGrad(true), b = Tensor.zeros(be, 1).requiresGrad(true);
        a.setGrad(Tensor.of(be, new float[]{3f, 0f}, 2));
        b.setGrad(Tensor.of(be, new float[]{4f}, 1));
        double norm = GradClip.clipGradNorm(List.of(a, b), 1.0);
        assertEquals(5.0, norm, 1e-6);
        assertArrayEquals(new float[]{0.6f, 0f}, a.grad().toArray(), 1e-5f);
        assertArrayEquals(new float[]{0.8f}, b.grad().toArray(), 1e-5f);
        // below the threshold nothing changes
        GradClip.clipGradNorm(List.of(a, b), 10.0);
        assertArrayEquals(new float[]{0.6f, 0f}, a.grad().toArray(), 1e-5f);
    }

    @Test
    void warmupIsLinearThenConstant() {
        WarmupSchedule s = new WarmupSchedule(2e-4f, 100);
        assertEquals(2e-6f, s.lr(1), 1e-12f);
        assertEquals(1e-4f, s.lr(50), 1e-10f);
        assertEquals(2e-4f, s.lr(100), 1e-10f);
        assertEquals(2e-4f, s.lr(5000), 1e-10f);
    }

    /** A tiny regression converges: the optimizer, autograd and Linear work together. */
    @Test
    void fitsALinearFunction() {
        io.vrfm.nn.Linear lin = new io.vrfm.nn.Linear(be, new io.vrfm.tensor.Rng(1), 2, 1);
        AdamW opt = new AdamW(lin.namedParameters(), 0.05f, 0.9f, 0.999f, 1e-8f, 0f);
        Tensor x = Tensor.randn(be, new io.vrfm.tensor.Rng(2), 64, 2);
        Tensor y = x.matmul(Tensor.of(be, new float[]{2f, -3f}, 2, 1)).add(0.5f);
        float loss = 0;
        for (int i = 0; i < 400; i++) {
            opt.zeroGrad();
            Tensor l = lin.forward(x).mse(y);
            loss = l.item();
            l.backward();
            opt.step();
        }
        assertEquals(0f, loss, 1e-4f);
        assertArrayEquals(new float[]{2f, -3f}, lin.weight().toArray(), 1e-2f);
    }
}
