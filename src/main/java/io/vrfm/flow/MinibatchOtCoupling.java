package io.vrfm.flow;

import io.vrfm.tensor.Tensor;

/**
 * OT-FM's coupling (Tong et al. 2024; torchcfm's {@code ExactOptimalTransportConditionalFlowMatcher}): within each
 * batch of {@code n} independent draws, the pairs are re-matched by the exact optimal transport plan between the
 * empirical source and data distributions, squared Euclidean cost, uniform marginals. With equal batch sizes and
 * uniform weights an optimal plan is a permutation (Birkhoff), found here by the Hungarian algorithm
 * ({@link LinearAssignment}). torchcfm then draws {@code n} pairs from the plan with replacement; here every pair of
 * the permutation is used once (the same plan, without the resampling noise).
 *
 * <p>The rows of {@code x0} are permuted and {@code x1} (and its labels) keep their order, so labels stay with their
 * data. Deterministic in its inputs: pairs drawn from a (seed, step) stream stay a function of (seed, step), and a
 * resumed run sees the same couplings. The matching runs on the host in double precision.
 */
public final class MinibatchOtCoupling {
    private MinibatchOtCoupling() {
    }

    /** {@code pairs} with {@code x0} permuted so that {@code Σ_i ‖x0_i − x1_i‖²} is minimal over permutations. */
    public static PairSource.Pairs couple(PairSource.Pairs pairs) {
        Tensor x0 = pairs.x0(), x1 = pairs.x1();
        int n = x0.dim(0);
        if (x1.dim(0) != n || x0.size() != x1.size()) {
            throw new IllegalArgumentException("OT coupling needs x0 and x1 of one shape, got "
                    + java.util.Arrays.toString(x0.shape()) + " and " + java.util.Arrays.toString(x1.shape()));
        }
        int dim = (int) (x0.size() / n);
        float[] a = x0.toArray(), b = x1.toArray();
        int[] match = LinearAssignment.solve(squaredDistances(b, a, n, dim), n);
        float[] permuted = new float[a.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, match[i] * dim, permuted, i * dim, dim);
        }
        return new PairSource.Pairs(Tensor.of(x0.backend(), permuted, x0.shape()), x1, pairs.label());
    }

    /** A coupled source: {@code inner}'s pairs re-matched by {@link #couple}. */
    public static PairSource of(PairSource inner) {
        return (be, rng, n) -> couple(inner.pairs(be, rng, n));
    }

    /** {@code [n, n]} squared Euclidean distances: entry {@code (i, j)} = ‖a_i − b_j‖², rows of {@code dim} floats. */
    public static double[] squaredDistances(float[] a, float[] b, int n, int dim) {
        double[] cost = new double[n * n];
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int d = 0; d < dim; d++) {
                    double diff = (double) a[i * dim + d] - b[j * dim + d];
                    s += diff * diff;
                }
                cost[i * n + j] = s;
            }
        });
        return cost;
    }
}
