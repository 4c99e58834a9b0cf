package io.vrfm.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrechetDistanceTest {
    private static float[] gaussian(int n, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] f = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double shared = nextGaussian(r);
            for (int j = 0; j < dim; j++) {
                // correlated features with unequal scales
                f[i * dim + j] = (float) ((j + 1) * 0.3 * nextGaussian(r) + 0.5 * shared + j);
            }
        }
        return f;
    }

    private static double nextGaussian(SplittableRandom r) {
        return r.nextGaussian();
    }

    @Test
    void identicalSetsGiveZero() {
        float[] f = gaussian(300, 12, 1);
        double d = FrechetDistance.fid(f, 300, f, 300, 12);
        assertEquals(0.0, d, 1e-9);
    }

    @Test
    void identicalSingularSetsGiveZero() {
        // fewer samples than dimensions: rank-deficient covariance, where scipy's sqrtm needs pytorch-fid's ε offset
        float[] f = gaussian(6, 20, 2);
        double d = FrechetDistance.fid(f, 6, f, 6, 20);
        assertEquals(0.0, d, 1e-6);
    }

    @Test
    void shiftAddsSquaredNorm() {
        int n = 200;
        int dim = 5;
        float[] a = gaussian(n, dim, 3);
        float[] b = a.clone();
        double[] shift = {1, -2, 0.5, 0, 3};
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                b[i * dim + j] += (float) shift[j];
            }
        }
        // float rounding of the shifted copy perturbs the covariance slightly
        assertEquals(1 + 4 + 0.25 + 9, FrechetDistance.fid(a, n, b, n, dim), 1e-3);
    }

    @Test
    void diagonalCovariancesMatchClosedForm() {
        double[] a = {1.0, 4.0, 0.25, 9.0};
        double[] b = {2.0, 1.0, 0.25, 16.0};
        double[] mu1 = {0, 1, 2, 3};
        double[] mu2 = {1, 1, 0, 3};
        double[][] s1 = new double[4][4];
        double[][] s2 = new double[4][4];
        double expect = 1 + 0 + 4 + 0;
        for (int i = 0; i < 4; i++) {
            s1[i][i] = a[i];
            s2[i][i] = b[i];
            double t = Math.sqrt(a[i]) - Math.sqrt(b[i]);
            expect += t * t;
        }
        assertEquals(expect, FrechetDistance.frechetDistance(mu1, s1, mu2, s2), 1e-12);
    }

    @Test
    void nonCommutingCovariancesMatchNumpy() {
        /*
         * Reference from numpy 1.x (python3), sqrt of S1·S2's spectrum through the symmetric form:
         *
         *   import numpy as np
         *   S1 = np.array([[2.0,0.6,-0.3,0.1],[0.6,1.5,0.4,0.0],[-0.3,0.4,1.0,0.2],[0.1,0.0,0.2,0.8]])
         *   S2 = np.array([[1.0,-0.5,0.2,0.3],[-0.5,2.5,0.1,-0.4],[0.2,0.1,0.7,0.0],[0.3,-0.4,0.0,1.2]])
         *   mu1 = np.array([0.5,-1.0,0.25,2.0]); mu2 = np.array([-0.5,0.0,1.25,1.5])
         *   w, V = np.linalg.eigh(S1); r1 = V @ np.diag(np.sqrt(w)) @ V.T
         *   tr = np.sqrt(np.linalg.eigvalsh(r1 @ S2 @ r1)).sum()          # 4.843972586244868
         *   np.sqrt(np.linalg.eigvals(S1 @ S2)).real.sum()                 # 4.843972586244863 (non-symmetric route)
         *   ((mu1-mu2)**2).sum() + np.trace(S1) + np.trace(S2) - 2*tr     # 4.262054827510266
         *
         * max |S1·S2 − S2·S1| = 0.62: the matrices do not commute.
         */
        double[][] s1 = {{2.0, 0.6, -0.3, 0.1}, {0.6, 1.5, 0.4, 0.0}, {-0.3, 0.4, 1.0, 0.2}, {0.1, 0.0, 0.2, 0.8}};
        double[][] s2 = {{1.0, -0.5, 0.2, 0.3}, {-0.5, 2.5, 0.1, -0.4}, {0.2, 0.1, 0.7, 0.0}, {0.3, -0.4, 0.0, 1.2}};
        double[] mu1 = {0.5, -1.0, 0.25, 2.0};
        double[] mu2 = {-0.5, 0.0, 1.25, 1.5};
        assertEquals(4.843972586244868, FrechetDistance.traceSqrtProduct(s1, s2), 1e-10);
        assertEquals(4.843972586244868, FrechetDistance.traceSqrtProduct(s2, s1), 1e-10);
        assertEquals(4.262054827510266, FrechetDistance.frechetDistance(mu1, s1, mu2, s2), 1e-10);
        assertEquals(4.262054827510266, FrechetDistance.frechetDistance(mu2, s2, mu1, s1), 1e-10);
    }

    @Test
    void statsAreMeanAndUnbiasedCovariance() {
        int n = 2500; // more than one accumulation block
        int dim = 7;
        float[] f = gaussian(n, dim, 4);
        FrechetDistance.Stats s = FrechetDistance.stats(f, n, dim);
        assertEquals(n, s.n());
        assertEquals(dim, s.dim());
        double[] mu = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                mu[j] += f[i * dim + j];
            }
        }
        for (int j = 0; j < dim; j++) {
            mu[j] /= n;
            assertEquals(mu[j], s.mu()[j], 1e-9);
        }
        for (int r = 0; r < dim; r++) {
            for (int c = 0; c < dim; c++) {
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    acc += (f[i * dim + r] - mu[r]) * (f[i * dim + c] - mu[c]);
                }
                assertEquals(acc / (n - 1), s.sigma()[r][c], 1e-9 * (1 + Math.abs(acc / (n - 1))));
                assertEquals(s.sigma()[r][c], s.sigma()[c][r]);
            }
        }
    }

    @Test
    void statsOfTwoPointsByHand() {
        FrechetDistance.Stats s = FrechetDistance.stats(new float[]{1, 2, 3, 6}, 2, 2);
        assertEquals(2.0, s.mu()[0]);
        assertEquals(4.0, s.mu()[1]);
        assertEquals(2.0, s.sigma()[0][0]);
        assertEquals(4.0, s.sigma()[0][1]);
        assertEquals(8.0, s.sigma()[1][1]);
    }

    @Test
    void differentDistributionsArePositive() {
        float[] a = gaussian(400, 6, 5);
        float[] b = gaussian(400, 6, 6);
        for (int i = 0; i < b.length; i++) {
            b[i] *= 1.5f;
        }
        assertTrue(FrechetDistance.fid(a, 400, b, 400, 6) > 1.0);
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.stats(new float[3], 1, 3));
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.stats(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.frechetDistance(
                new double[2], new double[2][2], new double[3], new double[3][3]));
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.frechetDistance(
                new double[2], new double[2][3], new double[2], new double[2][2]));
        double[][] nan = {{Double.NaN, 0}, {0, 1}};
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.frechetDistance(
                new double[2], nan, new double[2], new double[2][2]));
    }

    /** Fewer samples than dimensions: the rank-(n−1) form equals the full eigen-decomposition path. */
    @Test
    void lowRankSampleSetMatchesTheFullComputation() {
        int d = 24, nRef = 60, n = 7;
        java.util.Random r = new java.util.Random(11);
        float[] ref = new float[nRef * d], gen = new float[n * d];
        for (int i = 0; i < ref.length; i++) ref[i] = (float) (r.nextGaussian() * (1 + i % d * 0.1));
        for (int i = 0; i < gen.length; i++) gen[i] = (float) (r.nextGaussian() * 0.7 + 0.3 * (i % 3));
        FrechetDistance.Stats refStats = FrechetDistance.stats(ref, nRef, d);
        double full = FrechetDistance.fid(refStats, FrechetDistance.stats(gen, n, d));
        double lowRank = FrechetDistance.fid(refStats, gen, n);
        org.junit.jupiter.api.Assertions.assertEquals(full, lowRank, 1e-9 * Math.max(1, full));
        // and with enough samples it is the plain path
        float[] many = java.util.Arrays.copyOf(ref, 30 * d);
        org.junit.jupiter.api.Assertions.assertEquals(FrechetDistance.fid(refStats, FrechetDistance.stats(many, 30, d)),
                FrechetDistance.fid(refStats, many, 30), 1e-12);
    }
}
