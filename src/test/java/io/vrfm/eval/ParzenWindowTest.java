package io.vrfm.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParzenWindowTest {
    private static final double ENTROPY_N01 = 0.5 * Math.log(2 * Math.PI * Math.E); // 1.4189

    @Test
    void singleCenterIsTheGaussianDensity() {
        float[] c = {1f, -2f};
        float[] x = {1.5f, -1f};
        double h = 0.7;
        double d2 = 0.25 + 1.0;
        double expect = -d2 / (2 * h * h) - Math.log(2 * Math.PI * h * h);
        assertEquals(expect, ParzenWindow.logLikelihood(c, 1, x, 1, 2, h), 1e-9);
    }

    @Test
    void mixtureOfTwoCentersByHand() {
        float[] c = {0f, 2f};
        float[] x = {0f, 1f};
        double h = 1.0;
        double n0 = Math.exp(0) + Math.exp(-2), n1 = 2 * Math.exp(-0.5);
        double expect = 0.5 * (Math.log(n0 / 2) + Math.log(n1 / 2)) - 0.5 * Math.log(2 * Math.PI);
        assertEquals(expect, ParzenWindow.logLikelihood(c, 2, x, 2, 1, h), 1e-12);
    }

    @Test
    void farPointsStayFinite() {
        // direct exp would underflow to log(0) = -inf: log-sum-exp keeps the exact value
        float[] c = {0f, 0.5f};
        float[] x = {100f};
        double h = 1e-3;
        double lse = -Math.pow(99.5, 2) / (2 * h * h) + Math.log(1 + Math.exp(-(1e4 - Math.pow(99.5, 2)) / (2 * h * h)));
        double expect = lse - Math.log(2) - 0.5 * Math.log(2 * Math.PI * h * h);
        double ll = ParzenWindow.logLikelihood(c, 2, x, 1, 1, h);
        assertTrue(Double.isFinite(ll));
        assertEquals(expect, ll, Math.abs(expect) * 1e-9);
    }

    @Test
    void kdeOfNormalSamplesScoresTheEntropy() {
        int n = 4000;
        float[] centers = TestDistributions.normal(n, 0, 1, 11);
        float[] valid = TestDistributions.normal(2000, 0, 1, 12);
        float[] test = TestDistributions.normal(4000, 0, 1, 13);
        double h = ParzenWindow.selectBandwidth(centers, n, valid, valid.length, 1, ParzenWindow.defaultBandwidths());
        double ll = ParzenWindow.logLikelihood(centers, n, test, test.length, 1, h);
        assertEquals(-ENTROPY_N01, ll, 0.04, "h=" + h);
    }

    @Test
    void bandwidthSelectionIsSensible() {
        int n = 2000;
        float[] centers = TestDistributions.normal(n, 0, 1, 21);
        float[] valid = TestDistributions.normal(2000, 0, 1, 22);
        double h = ParzenWindow.selectBandwidth(centers, n, valid, valid.length, 1, ParzenWindow.defaultBandwidths());
        // Silverman's rule gives 1.06·n^(-1/5) ≈ 0.23; the likelihood optimum is broad around it
        assertTrue(h > 0.08 && h < 0.6, "h=" + h);

        // the same data shrunk by 100 → a bandwidth about 100× smaller
        float[] c2 = centers.clone(), v2 = valid.clone();
        for (int i = 0; i < n; i++) {
            c2[i] *= 0.01f;
            v2[i] *= 0.01f;
        }
        double[] grid = ParzenWindow.logSpace(1e-5, 1, 41);
        double hs = ParzenWindow.selectBandwidth(c2, n, v2, n, 1, grid);
        double hb = ParzenWindow.selectBandwidth(centers, n, valid, n, 1, grid);
        assertEquals(Math.log(hb / 100), Math.log(hs), 0.3, "hs=" + hs + " hb=" + hb);
        // the smallest candidate over-fits: lower validation likelihood than the chosen one
        double[] ll = ParzenWindow.logLikelihoods(centers, n, valid, n, 1, new double[]{1e-3, h, 1.0});
        assertTrue(ll[1] > ll[0] && ll[1] > ll[2]);
    }

    @Test
    void manyBandwidthsMatchSingleCalls() {
        float[] centers = new float[300 * 2];
        float[] eval = new float[100 * 2];
        System.arraycopy(TestDistributions.normal(600, 0, 1, 31), 0, centers, 0, 600);
        System.arraycopy(TestDistributions.normal(200, 0.3, 1.2, 32), 0, eval, 0, 200);
        double[] hs = {0.05, 0.2, 0.9};
        double[] many = ParzenWindow.logLikelihoods(centers, 300, eval, 100, 2, hs);
        double[] single = new double[3];
        for (int j = 0; j < 3; j++) {
            single[j] = ParzenWindow.logLikelihood(centers, 300, eval, 100, 2, hs[j]);
        }
        assertArrayEquals(single, many, 1e-12);
    }

    @Test
    void defaultGridAndValidation() {
        double[] g = ParzenWindow.defaultBandwidths();
        assertEquals(20, g.length);
        assertEquals(1e-3, g[0], 1e-15);
        assertEquals(1.0, g[19], 0);
        for (int i = 1; i < g.length; i++) {
            assertEquals(Math.log(g[1] / g[0]), Math.log(g[i] / g[i - 1]), 1e-9);
        }
        assertThrows(IllegalArgumentException.class, () -> ParzenWindow.logLikelihood(new float[2], 1, new float[2], 1, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> ParzenWindow.logLikelihood(new float[2], 2, new float[2], 1, 2, 1));
    }
}
