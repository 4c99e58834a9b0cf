package io.vrfm.flow;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Order of accuracy on {@code dx/dt = x·cos(t)} (solution {@code x0·exp(sin t)}), computed in double-ish float32. */
class SamplersTest {
    private static final CpuBackend BE = new CpuBackend(1);
    private static final Ode F = (x, t) -> x.mul((float) Math.cos(t));
    private static final double EXACT = 0.5 * Math.exp(Math.sin(1.0));

    private static double err(SampleResult r) {
        return Math.abs(r.x().toArray()[0] - EXACT);
    }

    private static Tensor x0() {
        return Tensor.of(BE, new float[]{0.5f}, 1, 1);
    }

    @Test
    void eulerIsFirstOrder() {
        double e1 = err(Samplers.euler(F, x0(), 20, false));
        double e2 = err(Samplers.euler(F, x0(), 40, false));
        double e3 = err(Samplers.euler(F, x0(), 80, false));
        assertEquals(2.0, e1 / e2, 0.25, "Euler error ratio on halving dt");
        assertEquals(2.0, e2 / e3, 0.25);
    }

    @Test
    void heunIsSecondOrder() {
        double e1 = err(Samplers.heun(F, x0(), 10, false));
        double e2 = err(Samplers.heun(F, x0(), 20, false));
        assertEquals(4.0, e1 / e2, 0.6, "Heun error ratio on halving dt");
        SampleResult r = Samplers.heun(F, x0(), 10, true);
        assertEquals(20, r.nfe());
        assertEquals(11, r.trajectory().size());
    }

    @Test
    void dopri5MeetsToleranceAndCountsEvaluations() {
        SampleResult r = Samplers.dopri5(F, x0(), 1e-5, 1e-5, true);
        assertTrue(err(r) < 1e-4, "dopri5 error " + err(r));
        assertTrue(r.nfe() >= 8 && r.nfe() < 200, "nfe " + r.nfe());
        assertEquals(1f, r.times().get(r.times().size() - 1), 1e-6);
        SampleResult loose = Samplers.dopri5(F, x0(), 1e-2, 1e-2, false);
        assertTrue(loose.nfe() <= r.nfe(), "looser tolerance should not need more evaluations");
    }

    @Test
    void eulerMaruyamaWithoutNoiseIsEuler() {
        SampleResult em = Samplers.eulerMaruyama(F, x0(), 16, 0f, new io.vrfm.tensor.Rng(1), false);
        SampleResult eu = Samplers.euler(F, x0(), 16, false);
        assertEquals(eu.x().toArray()[0], em.x().toArray()[0], 1e-6);
    }
}
