package io.vrfm.eval;

import io.vrfm.data.Distribution;
import io.vrfm.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticEvaluationTest {

    @Test
    void nonFiniteSamplesScoreNaNInsteadOfFailing() {
        Distribution g = TestDistributions.gaussian(2, 0.0, 1.0);
        int n = 50;
        float[] gen = g.sample(new Rng(1), n);
        float[] valid = g.sample(new Rng(2), n);
        float[] test = g.sample(new Rng(3), n);
        gen[17] = Float.NaN;
        SyntheticEvaluation.Scores s = SyntheticEvaluation.score(gen, valid, test, n, g, 500);
        assertTrue(Double.isNaN(s.trueLl()) && Double.isNaN(s.parzenLl()) && Double.isNaN(s.w1()), s.toString());
        gen[17] = Float.POSITIVE_INFINITY;
        s = SyntheticEvaluation.score(gen, valid, test, n, g, 500);
        assertTrue(Double.isNaN(s.w1()), s.toString());
    }

    @Test
    void finiteSamplesScoreFiniteAndW1UsesOnlyTheFirstW1Points() {
        Distribution g = TestDistributions.gaussian(2, 0.0, 1.0);
        int n = 60, k = 20;
        float[] test = g.sample(new Rng(3), n);
        float[] valid = g.sample(new Rng(2), n);
        float[] gen = test.clone();
        for (int q = k * 2; q < gen.length; q++) {
            gen[q] += 5f;                     // differs only after the first k points
        }
        SyntheticEvaluation.Scores s = SyntheticEvaluation.score(gen, valid, test, n, g, k);
        assertEquals(0.0, s.w1(), 1e-9);
        assertTrue(Double.isFinite(s.trueLl()) && Double.isFinite(s.parzenLl()), s.toString());
        assertTrue(SyntheticEvaluation.score(gen, valid, test, n, g, n).w1() > 1.0);
    }

    @Test
    void protocolsAndSettingNames() {
        SyntheticEvaluation.Protocol q = SyntheticEvaluation.Protocol.quick();
        assertEquals(2000, q.samples());
        assertEquals(500, q.w1PointsFor(2));
        assertEquals(2000, q.w1PointsFor(1));
        assertEquals(List.of("euler_1", "euler_2", "euler_4", "euler_5", "euler_8", "euler_10", "euler_16", "euler_20",
                "dopri5"), q.settingNames());
        assertEquals(1000, SyntheticEvaluation.Protocol.full().w1Points());
        SyntheticEvaluation.Settings s = SyntheticEvaluation.forExperiment("synthetic-2d", true);
        assertEquals(q.samples(), s.evalSamples());
        assertEquals(q.w1Points(), s.w1Points());
        assertEquals(SyntheticEvaluation.QUICK_ITERS, s.base().iters());
        assertThrows(IllegalArgumentException.class, () -> q.withSamples(5));
        assertThrows(IllegalArgumentException.class, () -> SyntheticEvaluation.forExperiment("synthetic-3d", true));
    }
}
