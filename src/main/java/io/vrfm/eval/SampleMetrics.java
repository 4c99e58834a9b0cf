package io.vrfm.eval;

import io.vrfm.data.Distribution;

/** Metrics that score generated samples against a target distribution with a known density. */
public final class SampleMetrics {
    private SampleMetrics() {
    }

    /**
     * The paper's "true log-likelihood": the mean log-density of the known target at the generated samples
     * ({@code samples} row-major {@code [n, target.dim()]}). A sample outside the target's support gives −∞,
     * and so does the mean; use {@link #trueLogLikelihood(float[], int, Distribution, double)} to floor it.
     */
    public static double trueLogLikelihood(float[] samples, int n, Distribution target) {
        return trueLogLikelihood(samples, n, target, Double.NEGATIVE_INFINITY);
    }

    /** As above, each sample's log-density clamped from below at {@code floor} (e.g. −50) first. */
    public static double trueLogLikelihood(float[] samples, int n, Distribution target, double floor) {
        int dim = target.dim();
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        if (samples.length < (long) n * dim) {
            throw new IllegalArgumentException("samples hold " + samples.length + " floats, need [" + n + ", " + dim + "]");
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.max(floor, target.logDensity(samples, i * dim));
        }
        return sum / n;
    }
}
