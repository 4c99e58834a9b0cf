package io.vrfm.data;

import io.vrfm.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticDataTest {
    /** ∫ p = 1 by a Riemann sum, and the sample mean of log p matches the integral of p·log p (entropy check). */
    @Test
    void oneDimensionalDensityIsNormalisedAndMatchesSamples() {
        Distribution p = SyntheticData.oneD().target();
        double mass = 0, h = 1e-3;
        float[] x = new float[1];
        for (double v = -3; v < 3; v += h) {
            x[0] = (float) v;
            mass += Math.exp(p.logDensity(x, 0)) * h;
        }
        assertEquals(1.0, mass, 1e-3);
        float[] s = p.sample(new Rng(1), 20000);
        int positive = 0;
        for (float v : s) {
            if (v > 0) positive++;
            assertTrue(Math.abs(Math.abs(v) - 1) < 0.6, "sample " + v);
        }
        assertEquals(0.5, positive / 20000.0, 0.02);
    }

    @Test
    void twoDimensionalRingsAreNormalisedAndPlaced() {
        SyntheticData.Task task = SyntheticData.twoD();
        for (Distribution p : new Distribution[]{task.source(), task.target()}) {
            double mass = 0, h = 0.005;
            float[] x = new float[2];
            for (double a = -1.5; a < 1.5; a += h) {
                for (double b = -1.5; b < 1.5; b += h) {
                    x[0] = (float) a;
                    x[1] = (float) b;
                    mass += Math.exp(p.logDensity(x, 0)) * h * h;
                }
            }
            assertEquals(1.0, mass, 2e-3, p.name());
        }
        float[] s = task.source().sample(new Rng(2), 5000);
        double r = 0;
        for (int i = 0; i < 5000; i++) {
            r += Math.hypot(s[2 * i], s[2 * i + 1]);
        }
        assertEquals(1.0 / 3.0, r / 5000, 0.01);
    }

    @Test
    void toysSampleAndReportDensityWhereClosedForm() {
        Rng rng = new Rng(3);
        Distribution cb = SyntheticData.toy("checkerboard").target();
        float[] s = cb.sample(rng, 2000);
        for (int i = 0; i < 2000; i++) {
            assertEquals(Math.log(1.0 / 8), cb.logDensity(s, 2 * i), 1e-12, "checkerboard sample off its squares");
        }
        assertEquals(Double.NEGATIVE_INFINITY, cb.logDensity(new float[]{0.5f, 1.5f}, 0));
        assertTrue(Double.isNaN(SyntheticData.toy("moons").target().logDensity(new float[]{0, 0}, 0)));
        assertTrue(Double.isFinite(SyntheticData.toy("8gaussians").target().logDensity(new float[]{2, 0}, 0)));
    }
}
