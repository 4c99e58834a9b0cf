package io.vrfm.flow;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.GaussianMixture;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LikelihoodTest {
    private static final CpuBackend BE = new CpuBackend(1);

    /** {@code v(x) = A·x} with constant A: x1 = exp(A)·x0, so log p1(x1) = log N(exp(−A)x1) − tr(A). */
    @Test
    void exactDivergenceOnALinearField() {
        float a = 0.4f, b = -0.3f, c = 0.2f; // A = [[a, c], [0, b]]
        VelocityField lin = new VelocityField() {
            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z) {
                Tensor m = Tensor.of(BE, new float[]{a, 0, c, b}, 2, 2); // x·Mᵀ with rows [a c; 0 b] → M = Aᵀ stored
                return x.matmul(m);
            }

            @Override
            public int latentDim() {
                return 0;
            }
        };
        float[] x1 = {0.7f, -1.2f, 0.1f, 0.4f};
        double[] lp = Likelihood.logProb(lin, null, Tensor.of(BE, x1, 2, 2), GaussianMixture.standardNormal(2)::logDensity, 40, new Rng(1));
        // exp(−A) for upper-triangular A = [[a, c], [0, b]]
        double ea = Math.exp(-a), eb = Math.exp(-b);
        double off = -c * (ea - eb) / (-a + b); // (e^{-a} - e^{-b}) / ((-a) - (-b)) · (−c)
        for (int i = 0; i < 2; i++) {
            double y0 = x1[2 * i], y1 = x1[2 * i + 1];
            double p0 = ea * y0 + off * y1, p1 = eb * y1;
            double expected = -Math.log(2 * Math.PI) - 0.5 * (p0 * p0 + p1 * p1) - (a + b);
            assertEquals(expected, lp[i], 1e-4, "sample " + i);
        }
    }

    @Test
    void hutchinsonIsUnbiasedOnADiagonalFieldInThreeDimensions() {
        VelocityField diag = new VelocityField() {
            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z) {
                return x.mul(Tensor.of(BE, new float[]{0.5f, -0.2f, 0.1f}, 1, 3));
            }

            @Override
            public int latentDim() {
                return 0;
            }
        };
        // for a diagonal Jacobian the Rademacher estimate is exact
        float[] x1 = {0.3f, -0.5f, 1.0f};
        double[] lp = Likelihood.logProb(diag, null, Tensor.of(BE, x1, 1, 3), GaussianMixture.standardNormal(3)::logDensity, 20, new Rng(2));
        double[] k = {0.5, -0.2, 0.1};
        double s = -1.5 * Math.log(2 * Math.PI), tr = 0;
        for (int j = 0; j < 3; j++) {
            double p = x1[j] * Math.exp(-k[j]);
            s += -0.5 * p * p;
            tr += k[j];
        }
        assertEquals(s - tr, lp[0], 1e-4);
    }

    /**
     * {@code v(x, t, z) = z}: x1 = x0 + z, so p(x1 | z) = N(x1; z, 1) and, with z ~ N(0, 1), the marginal is N(x1; 0, 2);
     * the importance-weighted estimate must reach it (and differ from the conditional at z = 0).
     */
    @Test
    void marginalOverTheLatentMatchesTheClosedForm() {
        VelocityField shift = new VelocityField() {
            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z) {
                return x.mul(0f).add(z);
            }

            @Override
            public int latentDim() {
                return 1;
            }
        };
        float[] x1 = {-1.0f, 0.5f, 1.5f};
        double[] marginal = Likelihood.marginalLogProb(shift, Tensor.of(BE, x1, 3, 1),
                GaussianMixture.standardNormal(1)::logDensity, 4, 4000, new Rng(3));
        double[] atZero = Likelihood.logProb(shift, Tensor.zeros(BE, 3, 1), Tensor.of(BE, x1, 3, 1),
                GaussianMixture.standardNormal(1)::logDensity, 4, new Rng(4));
        for (int i = 0; i < 3; i++) {
            double want = -0.5 * Math.log(2 * Math.PI * 2) - x1[i] * x1[i] / 4.0;
            double conditional = -0.5 * Math.log(2 * Math.PI) - x1[i] * x1[i] / 2.0;
            assertEquals(want, marginal[i], 0.03, "marginal at " + x1[i]);
            assertEquals(conditional, atZero[i], 1e-4, "conditional at z = 0, x1 = " + x1[i]);
        }
        // a single draw is the conditional at that draw, not the marginal: K matters
        double[] one = Likelihood.marginalLogProb(shift, Tensor.of(BE, x1, 3, 1),
                GaussianMixture.standardNormal(1)::logDensity, 4, 1, new Rng(3));
        double gap = 0;
        for (int i = 0; i < 3; i++) gap += Math.abs(one[i] - (-0.5 * Math.log(4 * Math.PI) - x1[i] * x1[i] / 4.0));
        org.junit.jupiter.api.Assertions.assertTrue(gap > 0.05, "one draw should not already be the marginal: " + gap);
    }
}
