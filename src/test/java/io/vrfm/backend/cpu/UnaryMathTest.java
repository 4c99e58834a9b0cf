package io.vrfm.backend.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UnaryMathTest {
    @Test
    void tanhMatchesTheLibraryToFloatResolution() {
        for (double u = -25; u <= 25; u += 0.001) {
            double ref = Math.tanh(u);
            assertEquals(ref, UnaryMath.tanh(u), 1e-7 * Math.max(Math.abs(ref), 1e-3), "tanh(" + u + ")");
        }
        assertEquals(1e-9, UnaryMath.tanh(1e-9), 1e-15);
    }

    @Test
    void erfIsAccurateToFloatResolution() {
        double[][] known = {{0, 0}, {0.1, 0.1124629160}, {0.5, 0.5204998778}, {1, 0.8427007929},
                {1.5, 0.9661051465}, {2, 0.9953222650}, {3, 0.9999779095}, {-1, -0.8427007929}, {-0.25, -0.2763263902}};
        for (double[] k : known) {
            assertEquals(k[1], UnaryMath.erf(k[0]), 2e-7, "erf(" + k[0] + ")");
        }
    }
}
