package io.vrfm.flow;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper's central claim on the 1-D task (Fig. 3): at an ambiguous point (x ≈ 0, t ≈ 0.7) the ground-truth
 * velocity is bimodal (±(1 + 0.7/0.3) ≈ ±3.3), RFM collapses to one velocity (std ≈ 0 across couplings), and V-RFM
 * spreads its velocity across z close to the ground truth's.
 */
class VelocityAmbiguityTest {
    @Test
    void vrfmCapturesVelocitySpreadWhereRfmCollapses() {
        CpuBackend be = new CpuBackend();
        SyntheticData.Task task = SyntheticData.oneD();
        int iters = 500, batch = 256;
        Trainer rfm = new Trainer(be, coupling(task), TrainConfig.paper1d(Method.RFM, 1).withIters(iters).withBatch(batch));
        Trainer vrfm = new Trainer(be, coupling(task), TrainConfig.paper1d(Method.VRFM, 1).withIters(iters).withBatch(batch));
        for (int i = 0; i < iters; i++) {
            rfm.trainStep();
            vrfm.trainStep();
        }
        double gt = groundTruthSpread(task, 0.0, 0.7);
        double sR = spread(rfm.model().velocity(), be, 0.7f);
        double sV = spread(vrfm.model().velocity(), be, 0.7f);
        String msg = String.format("std of v at (0, 0.7): ground truth %.3f, RFM %.3f, V-RFM %.3f", gt, sR, sV);
        System.out.println(msg);
        assertTrue(gt > 2.5, msg);
        assertTrue(sR < 0.1 * gt, msg);
        assertTrue(sV > 0.5 * gt, msg);
        double sV5 = spread(vrfm.model().velocity(), be, 0.5f);
        assertTrue(sV5 > 1.0, "V-RFM spread at t = 0.5: " + sV5);
    }

    /**
     * Std of the model's velocity over points x ∈ [−0.005, 0.005] at time t (a thin bin, as the ambiguity maps use),
     * with an independent z per point for V-RFM. RFM's spread there only reflects the slope of its mean field.
     */
    private static double spread(VelocityField f, CpuBackend be, float t) {
        int n = 1000;
                float[] xs = new float[n];
        Rng r = new Rng(77);
        for (int i = 0; i < n; i++) {
            xs[i] = (float) (0.01 * (r.nextDouble() - 0.5));
        }
        Tensor z = Samplers.drawLatent(f, n, new Rng(78), be);
        float[] v;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            v = f.velocity(Tensor.of(be, xs, n, 1), Tensor.full(be, t, n), z).toArray();
        }
        return std(v);
    }

    /** Std of x1 − x0 over random couplings whose interpolant passes within 0.05 of x at time t. */
    private static double groundTruthSpread(SyntheticData.Task task, double x, double t) {
        Rng r = new Rng(5);
        int n = 400_000;
        float[] x0 = task.source().sample(r.fork(), n), x1 = task.target().sample(r.fork(), n);
        double[] vs = new double[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            double xt = (1 - t) * x0[i] + t * x1[i];
            if (Math.abs(xt - x) < 0.025) {
                vs[k++] = x1[i] - x0[i];
            }
        }
        float[] v = new float[k];
        for (int i = 0; i < k; i++) {
            v[i] = (float) vs[i];
        }
        return std(v);
    }

    private static double std(float[] v) {
        double m = 0, s = 0;
        for (float x : v) m += x;
        m /= v.length;
        for (float x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / v.length);
    }

    static Coupling coupling(SyntheticData.Task task) {
        return Coupling.independent(task.dim(), task.source()::sample, task.target()::sample);
    }
}
