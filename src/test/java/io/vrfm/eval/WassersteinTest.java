package io.vrfm.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WassersteinTest {
    @Test
    void shift1dIsTheShift() {
        float[] a = TestDistributions.normal(1000, 0, 1, 1);
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i] + 0.75f;
        }
        assertEquals(0.75, Wasserstein.w1Exact1d(a, b), 1e-5);
        assertEquals(0.75, Wasserstein.w1Exact(a, b, 300, 1), 1e-5); // the first 300 points of each, for speed
        assertEquals(0.75, Wasserstein.slicedW1(a, a.length, b, b.length, 1), 1e-5);
    }

    @Test
    void unequalSizesByHand() {
        // F_a = 1/2 on [0,1); F_b = 1/3 on [0,.5), 2/3 on [.5,1): |F_a − F_b| = 1/6 over length 1
        assertEquals(1.0 / 6, Wasserstein.w1Exact1d(new float[]{0, 1}, new float[]{0, 0.5f, 1}), 1e-12);
        // a point mass against two points: the mean distance
        assertEquals(2.0, Wasserstein.w1Exact1d(new float[]{0}, new float[]{1, 3}), 1e-12);
        // quantile form: F_a⁻¹ = {1 on (0,1/2], 2 on (1/2,1]}, F_b⁻¹ = {0 on (0,1/3], 3 on (1/3,2/3], 4 on (2/3,1]}
        double q = (1.0 / 3) * 1 + (1.0 / 6) * 2 + (1.0 / 6) * 1 + (1.0 / 3) * 2;
        assertEquals(q, Wasserstein.w1Exact1d(new float[]{2, 1}, new float[]{4, 0, 3}), 1e-12);
        // an empirical distribution against itself repeated
        float[] a = TestDistributions.normal(50, 0, 1, 4);
        float[] aa = new float[100];
        System.arraycopy(a, 0, aa, 0, 50);
        System.arraycopy(a, 0, aa, 50, 50);
        assertEquals(0.0, Wasserstein.w1Exact1d(a, aa), 1e-12);
        // symmetric
        float[] b = TestDistributions.normal(37, 0.5, 2, 5);
        assertEquals(Wasserstein.w1Exact1d(a, b), Wasserstein.w1Exact1d(b, a), 1e-12);
    }

    @Test
    void unequalSizesMatchLargeSampleShift() {
        float[] a = TestDistributions.normal(4000, 0, 1, 6);
        float[] b = TestDistributions.normal(3000, 1, 1, 7);
        assertEquals(1.0, Wasserstein.w1Exact1d(a, b), 0.06);
    }

    @Test
    void shift2dIsTheShiftLength() {
        int n = 300;
        float[] a = TestDistributions.normal(2 * n, 0, 1, 8);
        float[] b = new float[2 * n];
        for (int i = 0; i < n; i++) {
            b[2 * i] = a[2 * i] + 0.3f;
            b[2 * i + 1] = a[2 * i + 1] - 0.4f;
        }
        assertEquals(0.5, Wasserstein.w1Exact(a, b, n, 2), 1e-5);
        // sliced: each direction sees |⟨c, θ⟩|, whose mean over the circle is |c|·2/π
        double sliced = Wasserstein.slicedW1(a, n, b, n, 2, 4000, 3);
        assertEquals(0.5 * 2 / Math.PI, sliced, 0.01);
        assertTrue(sliced <= 0.5 + 1e-6);
    }

    @Test
    void smallHandCases() {
        // swapped points cost nothing
        assertEquals(0.0, Wasserstein.w1Exact(new float[]{0, 0, 1, 0}, new float[]{1, 0, 0, 0}, 2, 2), 1e-12);
        // crossing is never optimal: {0, 1} vs {1, 2} → (1 + 1)/2 = 1
        assertEquals(1.0, Wasserstein.w1Exact(new float[]{0, 1}, new float[]{2, 1}, 2, 1), 1e-12);
        // 3-4-5 triangle
        assertEquals(5.0, Wasserstein.w1Exact(new float[]{0, 0}, new float[]{3, 4}, 1, 2), 1e-12);
    }

    @Test
    void assignmentIsOptimalAgainstBruteForce() {
        SplittableRandom r = new SplittableRandom(99);
        for (int n = 1; n <= 7; n++) {
            for (int trial = 0; trial < 30; trial++) {
                double[] cost = new double[n * n];
                for (int i = 0; i < cost.length; i++) {
                    // integers make ties common; negatives are allowed
                    cost[i] = trial % 2 == 0 ? r.nextInt(-5, 10) : r.nextDouble() * 10 - 2;
                }
                int[] match = Wasserstein.assignment(cost, n);
                boolean[] seen = new boolean[n];
                double got = 0;
                for (int i = 0; i < n; i++) {
                    assertTrue(!seen[match[i]], "not a permutation");
                    seen[match[i]] = true;
                    got += cost[i * n + match[i]];
                }
                assertEquals(bruteForce(cost, n), got, 1e-9, "n=" + n + " trial=" + trial);
            }
        }
    }

    @Test
    void exactMatchesBruteForceOnPointClouds() {
        for (int n = 2; n <= 7; n++) {
            float[] a = TestDistributions.normal(3 * n, 0, 1, 40 + n);
            float[] b = TestDistributions.normal(3 * n, 0.5, 1, 50 + n);
            double[] cost = Wasserstein.distanceMatrix(a, b, n, 3);
            assertEquals(bruteForce(cost, n) / n, Wasserstein.w1Exact(a, b, n, 3), 1e-9);
            // sliced W1 lower-bounds W1
            assertTrue(Wasserstein.slicedW1(a, n, b, n, 3) <= Wasserstein.w1Exact(a, b, n, 3) + 1e-6);
        }
    }

    @Test
    void thousandPointsRun() {
        // size the brief names (n = 1000); no time is asserted, but it has to finish in a test run
        int n = 1000;
        float[] a = TestDistributions.normal(2 * n, 0, 1, 60);
        float[] b = TestDistributions.normal(2 * n, 0, 1, 61);
        for (int i = 0; i < n; i++) {
            b[2 * i] += 2;
        }
        double w = Wasserstein.w1Exact(a, b, n, 2);
        assertTrue(w >= 2.0 - 0.1 && w < 2.6, "w=" + w);
        // W1 is at least the distance between the means, which is ≈ 2 here
        assertTrue(Wasserstein.slicedW1(a, n, b, n, 2) <= w);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Wasserstein.w1Exact1d(new float[0], new float[]{1}));
        assertThrows(IllegalArgumentException.class, () -> Wasserstein.w1Exact(new float[3], new float[4], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Wasserstein.assignment(new double[]{0, Double.NaN, Double.NaN, Double.NaN}, 2));
    }

    private static double bruteForce(double[] cost, int n) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        double[] best = {Double.POSITIVE_INFINITY};
        permute(perm, 0, cost, n, best);
        return best[0];
    }

    private static void permute(int[] p, int k, double[] cost, int n, double[] best) {
        if (k == n) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += cost[i * n + p[i]];
            }
            best[0] = Math.min(best[0], s);
            return;
        }
        for (int i = k; i < n; i++) {
            int t = p[k];
            p[k] = p[i];
            p[i] = t;
            permute(p, k + 1, cost, n, best);
            p[i] = p[k];
            p[k] = t;
        }
    }
}
