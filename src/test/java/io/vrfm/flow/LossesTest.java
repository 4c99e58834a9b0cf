package io.vrfm.flow;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.PosteriorInput;
import io.vrfm.nn.SyntheticPosterior;
import io.vrfm.nn.SyntheticVelocityNet;
import io.vrfm.tensor.FlowOps;
import io.vrfm.tensor.GradCheck;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class LossesTest {
    private static final CpuBackend BE = new CpuBackend(1);

    @Test
    void klClosedFormMatchesMonteCarlo() {
        float[] mu = {0.3f, -0.7f, 1.1f}, logvar = {-0.4f, 0.5f, -1.2f};
        double kl = FlowOps.gaussianKl(Tensor.of(BE, mu, 1, 3), Tensor.of(BE, logvar, 1, 3)).item();
        Rng rng = new Rng(3);
        int n = 200_000;
        double acc = 0;
        for (int i = 0; i < n; i++) {
            double logq = 0, logp = 0;
            for (int j = 0; j < 3; j++) {
                double sd = Math.exp(0.5 * logvar[j]);
                double eps = rng.nextGaussian();
                double z = mu[j] + sd * eps;
                logq += -0.5 * eps * eps - Math.log(sd);
                logp += -0.5 * z * z;
            }
            acc += logq - logp;
        }
        assertEquals(kl, acc / n, 0.02, "KL closed form vs Monte Carlo");
    }

    @Test
    void reductionsRelateByDimension() {
        Tensor a = Tensor.of(BE, new float[]{1, 2, 3, 4}, 2, 2), b = Tensor.zeros(BE, 2, 2);
        assertEquals((1 + 4 + 9 + 16) / 2.0, FlowLosses.squaredError(a, b, Reduction.SUM).item(), 1e-5);
        assertEquals((1 + 4 + 9 + 16) / 4.0, FlowLosses.squaredError(a, b, Reduction.MEAN).item(), 1e-5);
    }

    /** Gradients of the V-RFM loss with respect to x_t-side inputs (through both nets) by finite differences. */
    @Test
    void vrfmLossGradientsMatchFiniteDifferences() {
        Rng init = new Rng(11);
        SyntheticVelocityNet v = new SyntheticVelocityNet(BE, init, 2, 3, 8, 8);
        SyntheticPosterior q = new SyntheticPosterior(BE, init, 2, 3, EnumSet.of(PosteriorInput.X0, PosteriorInput.X1,
                PosteriorInput.XT), 8, 8);
        Tensor x0 = Tensor.randn(BE, new Rng(1), 4, 2), x1 = Tensor.randn(BE, new Rng(2), 4, 2);
        Tensor t = Tensor.rand(BE, new Rng(4), 4);
        // differentiate with respect to x0 and x1 (the loss depends on them through x_t, the target and q's inputs)
        GradCheck.check("vrfm loss", BE, in -> {
            Interpolant.Batch b = interpolateDifferentiable(in[0], in[1], t);
            return FlowLosses.vrfm(v, q, b, 0.5f, Reduction.SUM, new Rng(9)).total().reshape(1);
        }, 1e-2f, 5e-3, 5e-2, x0, x1);
    }

    @Test
    void rfmAndConsistencyLossGradients() {
        SyntheticVelocityNet v = new SyntheticVelocityNet(BE, new Rng(5), 1, 0, 8, 8);
        Tensor x0 = Tensor.randn(BE, new Rng(1), 5, 1), x1 = Tensor.randn(BE, new Rng(2), 5, 1);
        Tensor t = Tensor.rand(BE, new Rng(4), 5);
        GradCheck.check("rfm loss", BE, in -> FlowLosses.rfm(v, interpolateDifferentiable(in[0], in[1], t), Reduction.SUM)
                .total().reshape(1), 1e-2f, 5e-3, 5e-2, x0, x1);
        // consistency (stage 1: the r side is the straight line, independent of the weights): w.r.t. a decoder bias
        Tensor w = v.namedParameters().get("decoder.layers.3.bias");
        Interpolant.Batch b = Interpolant.at(x0, x1, t);
        GradCheck.check("consistency loss", BE, in -> FlowLosses.consistency(v, b, FlowLosses.ConsistencyConfig.paper(),
                0f, Reduction.SUM).total().reshape(1), 1e-2f, 5e-3, 5e-2, w);
        w.requiresGrad(true);
    }

    /** x_t = (1−t)x0 + t·x1 and x1 − x0 as differentiable tensor ops (the fused kernel treats them as data). */
    private static Interpolant.Batch interpolateDifferentiable(Tensor x0, Tensor x1, Tensor t) {
        Tensor tc = t.reshape(t.dim(0), 1);
        Tensor xt = x0.mul(tc.affine(-1f, 1f)).add(x1.mul(tc));
        return new Interpolant.Batch(x0, x1, t, xt, x1.sub(x0));
    }

    @Test
    void fusedInterpolantMatchesFormula() {
        Tensor x0 = Tensor.of(BE, new float[]{1, 2, 3, 4}, 2, 2), x1 = Tensor.of(BE, new float[]{5, 6, 7, 8}, 2, 2);
        Interpolant.Batch b = Interpolant.at(x0, x1, Tensor.of(BE, new float[]{0.25f, 1f}, 2));
        assertNotNull(b.xt());
        float[] xt = b.xt().toArray(), tg = b.target().toArray();
        assertEquals(2f, xt[0], 1e-6);
        assertEquals(7f, xt[2], 1e-6);
        assertEquals(4f, tg[3], 1e-6);
    }
}
