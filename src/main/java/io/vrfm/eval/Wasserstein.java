package io.vrfm.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Wasserstein-1 distances between empirical distributions (point clouds, row-major {@code [n, dim]}) with the
 * Euclidean ground cost: exact in 1-D by quantile matching, exact in any dimension for equal-size clouds by an
 * optimal assignment (shortest augmenting paths with potentials, O(n³)), and the sliced estimator.
 */
public final class Wasserstein {
    private Wasserstein() {
    }

    /**
     * Exact W1 between the empirical distributions of two 1-D samples of any sizes:
     * {@code ∫|F_a(x) − F_b(x)| dx}, which equals {@code ∫₀¹ |F_a⁻¹(q) − F_b⁻¹(q)| dq}. With equal sizes this
     * is the mean absolute difference of the sorted samples.
     */
    public static double w1Exact1d(float[] a, float[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("w1Exact1d needs two non-empty samples, got sizes " + a.length + " and " + b.length);
        }
        float[] sa = a.clone(), sb = b.clone();
        Arrays.sort(sa);
        Arrays.sort(sb);
        int na = sa.length, nb = sb.length;
        if (na == nb) {
            double s = 0;
            for (int i = 0; i < na; i++) {
                s += Math.abs((double) sa[i] - sb[i]);
            }
            return s / na;
        }
        // sweep the merged support; between consecutive points both CDFs are constant
        int i = 0, j = 0;
        double total = 0, prev = Math.min(sa[0], sb[0]);
        while (i < na || j < nb) {
            double x = (j >= nb || (i < na && sa[i] <= sb[j])) ? sa[i] : sb[j];
            total += Math.abs((double) i / na - (double) j / nb) * (x - prev);
            prev = x;
            while (i < na && sa[i] == x) {
                i++;
            }
            while (j < nb && sb[j] == x) {
                j++;
            }
        }
        return total;
    }

    /**
     * Exact W1 between two equal-size point clouds: the minimum over one-to-one matchings of the mean Euclidean
     * distance between matched points.
     */
    public static double w1Exact(float[] a, float[] b, int n, int dim) {
        double[] cost = distanceMatrix(a, b, n, dim);
        int[] match = assignment(cost, n);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += cost[i * n + match[i]];
        }
        return s / n;
    }

    /** Euclidean distances {@code [n, n]}: entry {@code (i, j)} = |a_i − b_j|. */
    public static double[] distanceMatrix(float[] a, float[] b, int n, int dim) {
        check(a, n, dim, "a");
        check(b, n, dim, "b");
        double[] cost = new double[n * n];
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int d = 0; d < dim; d++) {
                    double diff = (double) a[i * dim + d] - b[j * dim + d];
                    s += diff * diff;
                }
                cost[i * n + j] = Math.sqrt(s);
            }
        });
        return cost;
    }

    /**
     * A minimum-cost perfect matching of a square cost matrix ({@code cost[i*n + j]}, finite): row {@code i} is
     * assigned to column {@code match[i]}. See {@link io.vrfm.flow.LinearAssignment#solve}.
     */
    public static int[] assignment(double[] cost, int n) {
        return io.vrfm.flow.LinearAssignment.solve(cost, n);
    }

    /**
     * Sliced W1: the mean over {@code projections} random unit directions θ of the exact 1-D W1 between the
     * projections {@code ⟨a_i, θ⟩} and {@code ⟨b_j, θ⟩}. Sizes may differ. It lower-bounds W1 and, in 1-D,
     * equals it. Deterministic for a given {@code seed}.
     */
    public static double slicedW1(float[] a, int na, float[] b, int nb, int dim, int projections, long seed) {
        check(a, na, dim, "a");
        check(b, nb, dim, "b");
        if (projections <= 0) {
            throw new IllegalArgumentException("projections must be positive, got " + projections);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] theta = new double[dim];
        float[] pa = new float[na], pb = new float[nb];
        double total = 0;
        for (int k = 0; k < projections; k++) {
            double norm = 0;
            do {
                norm = 0;
                for (int d = 0; d < dim; d++) {
                    theta[d] = rng.nextGaussian();
                    norm += theta[d] * theta[d];
                }
            } while (norm == 0);
            norm = Math.sqrt(norm);
            for (int d = 0; d < dim; d++) {
                theta[d] /= norm;
            }
            project(a, na, dim, theta, pa);
            project(b, nb, dim, theta, pb);
            total += w1Exact1d(pa, pb);
        }
        return total / projections;
    }

    /** Sliced W1 with 256 projections and seed 0. */
    public static double slicedW1(float[] a, int na, float[] b, int nb, int dim) {
        return slicedW1(a, na, b, nb, dim, 256, 0L);
    }

    private static void project(float[] x, int n, int dim, double[] theta, float[] out) {
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int d = 0; d < dim; d++) {
                s += x[i * dim + d] * theta[d];
            }
            out[i] = (float) s;
        }
    }

    private static void check(float[] a, int n, int dim, String what) {
        if (n <= 0 || dim <= 0) {
            throw new IllegalArgumentException(what + ": need n > 0 and dim > 0, got n=" + n + ", dim=" + dim);
        }
        if (a.length < (long) n * dim) {
            throw new IllegalArgumentException(what + " holds " + a.length + " floats, need [" + n + ", " + dim + "]");
        }
    }
}
