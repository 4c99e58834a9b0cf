package io.vrfm.eval;

import io.vrfm.data.Distribution;
import io.vrfm.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleMetricsTest {
    private static final double ENTROPY_N01 = 0.5 * Math.log(2 * Math.PI * Math.E); // 1.4189

    @Test
    void samplesFromTargetScoreMinusEntropy() {
        Distribution g = TestDistributions.gaussian(2, 0.0, 1.0);
        int n = 20000;
        float[] s = g.sample(new Rng(7), n);
        double ll = SampleMetrics.trueLogLikelihood(s, n, g);
        assertEquals(-2 * ENTROPY_N01, ll, 0.03);
    }

    @Test
    void exactOnHandValues() {
        Distribution g = TestDistributions.gaussian(1, 0.0, 1.0);
        float[] s = {0f, 1f, -2f};
        double expect = -0.5 * Math.log(2 * Math.PI) - (0 + 0.5 + 2) / 3.0;
        assertEquals(expect, SampleMetrics.trueLogLikelihood(s, 3, g), 1e-12);
        // only the first n rows count
        assertEquals(-0.5 * Math.log(2 * Math.PI), SampleMetrics.trueLogLikelihood(s, 1, g), 1e-12);
    }

    @Test
    void shiftedSamplesScoreLower() {
        Distribution g = TestDistributions.gaussian(1, 0.0, 1.0);
        float[] s = TestDistributions.normal(10000, 1.0, 1.0, 3);
        // E[log N(x;0,1)] for x ~ N(1,1) = -0.5 log 2π - (1 + 1)/2
        assertEquals(-0.5 * Math.log(2 * Math.PI) - 1.0, SampleMetrics.trueLogLikelihood(s, s.length, g), 0.05);
    }

    @Test
    void outsideSupportIsMinusInfinityUnlessFloored() {
        Distribution u = TestDistributions.unitUniform();
        float[] s = {0.5f, 0.25f, 2f, 0.75f};
        assertEquals(Double.NEGATIVE_INFINITY, SampleMetrics.trueLogLikelihood(s, 4, u));
        assertEquals(-10.0 / 4, SampleMetrics.trueLogLikelihood(s, 4, u, -10), 1e-12);
        assertEquals(0.0, SampleMetrics.trueLogLikelihood(s, 2, u), 0.0);
        assertTrue(SampleMetrics.trueLogLikelihood(s, 3, u, -50) < 0);
    }

    @Test
    void rejectsShortArrays() {
        Distribution g = TestDistributions.gaussian(2, 0.0, 1.0);
        assertThrows(IllegalArgumentException.class, () -> SampleMetrics.trueLogLikelihood(new float[3], 2, g));
    }
}
