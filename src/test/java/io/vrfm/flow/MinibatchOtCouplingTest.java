package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OT-FM: the assignment is optimal, the coupling is a permutation that shortens pairs, and it straightens paths. */
class MinibatchOtCouplingTest {
    private final Backend be = new CpuBackend(1);

    /** The minimum of {@code Σ cost[i, π(i)]} over all permutations, by enumeration. */
    private static double bruteForce(double[] cost, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        double best = Double.POSITIVE_INFINITY;
        while (true) {
            best = Math.min(best, LinearAssignment.cost(cost, n, p));
            int k = n - 2;
            while (k >= 0 && p[k] > p[k + 1]) {
                k--;
            }
            if (k < 0) {
                return best;
            }
            int l = n - 1;
            while (p[l] < p[k]) {
                l--;
            }
            int tmp = p[k];
            p[k] = p[l];
            p[l] = tmp;
            for (int a = k + 1, b = n - 1; a < b; a++, b--) {
                tmp = p[a];
                p[a] = p[b];
                p[b] = tmp;
            }
        }
    }

    private static void assertPermutation(int[] match, int n) {
        boolean[] seen = new boolean[n];
        for (int j : match) {
            assertTrue(j >= 0 && j < n && !seen[j], "not a permutation: " + Arrays.toString(match));
            seen[j] = true;
        }
    }

    @Test
    void assignmentIsAnOptimalPermutationOnEverySmallCase() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n = 1; n <= 7; n++) {
            for (int trial = 0; trial < 30; trial++) {
                double[] cost = new double[n * n];
                for (int k = 0; k < cost.length; k++) {
                    // every third trial small integers: many ties; else squared distances of random 2-D points
                    cost[k] = trial % 3 == 0 ? r.nextInt(4) : r.nextDouble() * 10;
                }
                int[] match = LinearAssignment.solve(cost, n);
                assertPermutation(match, n);
                assertEquals(bruteForce(cost, n), LinearAssignment.cost(cost, n, match), 1e-9,
                        "n=" + n + " trial " + trial);
            }
        }
    }

    @Test
    void couplingPermutesX0RowsKeepsX1AndLabelsAndReachesTheBruteForceOptimum() {
        int n = 7, dim = 3;
        Rng rng = new Rng(3);
        Tensor x0 = Tensor.randn(be, rng, n, dim), x1 = Tensor.randn(be, rng, n, dim);
        Tensor label = Tensor.of(be, new float[]{0, 1, 2, 3, 4, 5, 6}, n);
        PairSource.Pairs c = MinibatchOtCoupling.couple(new PairSource.Pairs(x0, x1, label));
        assertArrayEquals(x1.toArray(), c.x1().toArray());
        assertArrayEquals(label.toArray(), c.label().toArray());
        float[] a = x0.toArray(), b = c.x0().toArray(), y = x1.toArray();
        int[] perm = new int[n];
        Arrays.fill(perm, -1);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                if (Arrays.equals(Arrays.copyOfRange(b, i * dim, i * dim + dim), Arrays.copyOfRange(a, k * dim, k * dim + dim))) {
                    perm[i] = k;
                }
            }
        }
        assertPermutation(perm, n);
        double[] cost = MinibatchOtCoupling.squaredDistances(y, a, n, dim);
        assertEquals(bruteForce(cost, n), LinearAssignment.cost(cost, n, perm), 1e-9);
    }

    private static double meanSquaredPairDistance(PairSource.Pairs p) {
        float[] a = p.x0().toArray(), b = p.x1().toArray();
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return s / p.x0().dim(0);
    }

    @Test
    void onTheTwoDimensionalTaskOtPairsAreMuchShorterThanIndependentOnes() {
        SyntheticData.Task task = SyntheticData.twoD();
        PairSource independent = PairSource.independent(2, task.source()::sample, task.target()::sample);
        PairSource.Pairs p = independent.pairs(be, new Rng(11), 256);
        double ind = meanSquaredPairDistance(p);
        double ot = meanSquaredPairDistance(MinibatchOtCoupling.couple(p));
        // independent: E|x1 − x0|² = 1 + 1/9 + 2·std² ≈ 1.12; OT moves each point to a near target point: ≈ (1 − 1/3)²
        assertTrue(ind > 1.0, "independent " + ind);
        assertTrue(ot < 0.5 && ot < 0.5 * ind, "OT " + ot + " vs independent " + ind);
    }

    /** {@code x0 ~ N(0, I)}, {@code x1} two modes at {@code (±2, 0)} (std 0.1). */
    private static PairSource twoModes() {
        return (be, rng, n) -> {
            Tensor x0 = Tensor.randn(be, rng, n, 2);
            float[] y = Tensor.randn(be, rng, n, 2).toArray();
            for (int i = 0; i < n; i++) {
                y[2 * i] = 0.1f * y[2 * i] + (rng.nextDouble() < 0.5 ? -2f : 2f);
                y[2 * i + 1] = 0.1f * y[2 * i + 1];
            }
            return new PairSource.Pairs(x0, Tensor.of(be, y, n, 2));
        };
    }

    /** Mean squared gap between 1-step and 32-step Euler endpoints from the same {@code x0}: 0 for straight paths. */
    private double curvature(FlowTrainer tr) {
        Tensor x0 = Tensor.randn(be, new Rng(99), 400, 2);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            float[] one = Sampler.euler(1).sample(tr.model().velocity(), x0, (Tensor) null).x().toArray();
            float[] many = Sampler.euler(32).sample(tr.model().velocity(), x0, (Tensor) null).x().toArray();
            double s = 0;
            for (int i = 0; i < one.length; i++) {
                s += (one[i] - many[i]) * (double) (one[i] - many[i]);
            }
            return s / 400;
        }
    }

    @Test
    void otfmLearnsStraighterPathsThanRfmSoOneEulerStepLandsNearTheManyStepSample() throws Exception {
        FlowTrainer rfm = FlowTrainer.rfm(new MlpField(be, FlowTrainer.initStream(0), 2, 0, 64))
                .pairs(twoModes()).batch(128).adamW(3e-3f, 0f).seed(0).build();
        FlowTrainer otfm = FlowTrainer.otfm(new MlpField(be, FlowTrainer.initStream(0), 2, 0, 64))
                .pairs(twoModes()).batch(128).adamW(3e-3f, 0f).seed(0).build();
        rfm.fit(600, null);
        otfm.fit(600, null);
        double cr = curvature(rfm), co = curvature(otfm);
        // RFM averages the crossing targets near x = 0 (1 step lands between the modes); OT pairs barely cross
        assertTrue(co < 0.5 * cr, "OT-FM 1-vs-32-step gap " + co + " vs RFM " + cr);
    }

    @Test
    void otfmResumedFromACheckpointEndsWithTheWeightsOfAnUninterruptedRun(@TempDir Path dir) throws Exception {
        FlowTrainer whole = FlowTrainer.otfm(new MlpField(be, FlowTrainer.initStream(0), 2, 0, 16))
                .pairs(twoModes()).batch(32).seed(4).build();
        whole.fit(6, null);
        FlowTrainer first = FlowTrainer.otfm(new MlpField(be, FlowTrainer.initStream(0), 2, 0, 16))
                .pairs(twoModes()).batch(32).seed(4).build();
        first.fit(3, null);
        first.save(dir.resolve("m.safetensors"));
        FlowTrainer resumed = FlowTrainer.otfm(new MlpField(be, FlowTrainer.initStream(1), 2, 0, 16))
                .pairs(twoModes()).batch(32).seed(99).build();
        resumed.resume(dir.resolve("m.safetensors"));
        resumed.fit(6, null);
        for (Map.Entry<String, Tensor> e : whole.model().namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), resumed.model().namedParameters().get(e.getKey()).toArray(),
                    e.getKey());
        }
    }
}
