package io.vrfm.eval;

import java.util.stream.IntStream;

/**
 * Parzen-window (Gaussian kernel density) log-likelihood with an isotropic bandwidth {@code h}:
 * {@code log p(x) = log( (1/N) Σ_i N(x; c_i, h² I) )}, computed with log-sum-exp.
 *
 * <p>The paper's "Parzen window log-likelihood" fits the KDE on <em>generated</em> samples (the kernel centres)
 * and scores held-out <em>true</em> samples (the evaluation points); the paper gives no bandwidth, so choose it
 * with {@link #selectBandwidth} on a validation split of true samples, disjoint from the test split.
 * Arrays are row-major {@code [n, dim]}. Work is split over evaluation points in parallel.
 */
public final class ParzenWindow {
    private static final double LOG_2PI = Math.log(2.0 * Math.PI);
    /** Evaluation points per parallel task. */
    private static final int BLOCK = 64;

    private ParzenWindow() {
    }

    /** Mean over the {@code nEval} evaluation points of the KDE log-density with bandwidth {@code h}. */
    public static double logLikelihood(float[] kernelCenters, int nCenters, float[] eval, int nEval, int dim, double h) {
        return logLikelihoods(kernelCenters, nCenters, eval, nEval, dim, new double[]{h})[0];
    }

    /**
     * Mean KDE log-likelihood for each bandwidth in {@code hs}, sharing the squared distances between them
     * (one pass over all centre/evaluation pairs).
     */
    public static double[] logLikelihoods(float[] centers, int nCenters, float[] eval, int nEval, int dim, double[] hs) {
        check(centers, nCenters, dim, "kernelCenters");
        check(eval, nEval, dim, "eval");
        if (hs.length == 0) {
            throw new IllegalArgumentException("no bandwidths given");
        }
        int k = hs.length;
        double[] inv2h2 = new double[k];
        double[] logNorm = new double[k]; // -log N - dim/2 log(2π h²)
        for (int j = 0; j < k; j++) {
            double h = hs[j];
            if (!(h > 0) || Double.isInfinite(h)) {
                throw new IllegalArgumentException("bandwidth must be positive and finite, got " + h);
            }
            inv2h2[j] = 1.0 / (2.0 * h * h);
            logNorm[j] = -Math.log(nCenters) - 0.5 * dim * (LOG_2PI + 2.0 * Math.log(h));
        }
        int blocks = (nEval + BLOCK - 1) / BLOCK;
        double[][] partial = new double[blocks][];
        IntStream.range(0, blocks).parallel().forEach(b -> {
            double[] sums = new double[k];
            double[] d2 = new double[nCenters];
            int end = Math.min(nEval, (b + 1) * BLOCK);
            for (int e = b * BLOCK; e < end; e++) {
                int eo = e * dim;
                double min = Double.POSITIVE_INFINITY;
                for (int i = 0; i < nCenters; i++) {
                    int co = i * dim;
                    double s = 0;
                    for (int d = 0; d < dim; d++) {
                        double diff = (double) eval[eo + d] - centers[co + d];
                        s += diff * diff;
                    }
                    d2[i] = s;
                    if (s < min) {
                        min = s;
                    }
                }
                for (int j = 0; j < k; j++) {
                    double a = inv2h2[j];
                    double acc = 0;
                    for (int i = 0; i < nCenters; i++) {
                        double z = (d2[i] - min) * a;
                        // e^-50 < 2e-22 against the largest term (= 1): skipping it changes nothing representable
                        if (z < 50.0) {
                            acc += Math.exp(-z);
                        }
                    }
                    sums[j] += Math.log(acc) - min * a + logNorm[j];
                }
            }
            partial[b] = sums;
        });
        double[] out = new double[k];
        for (double[] p : partial) {
            for (int j = 0; j < k; j++) {
                out[j] += p[j];
            }
        }
        for (int j = 0; j < k; j++) {
            out[j] /= nEval;
        }
        return out;
    }

    /** The candidate bandwidth that maximises the mean log-likelihood of {@code validation} under the KDE. */
    public static double selectBandwidth(float[] centers, int nCenters, float[] validation, int nValid, int dim,
                                         double[] candidates) {
        double[] ll = logLikelihoods(centers, nCenters, validation, nValid, dim, candidates);
        int best = 0;
        for (int j = 1; j < ll.length; j++) {
            if (ll[j] > ll[best] || Double.isNaN(ll[best])) {
                best = j;
            }
        }
        return candidates[best];
    }

    /** 20 log-spaced bandwidths from 1e-3 to 1. */
    public static double[] defaultBandwidths() {
        return logSpace(1e-3, 1.0, 20);
    }

    /** {@code count} log-spaced values from {@code lo} to {@code hi} inclusive. */
    public static double[] logSpace(double lo, double hi, int count) {
        if (count < 1 || !(lo > 0) || !(hi >= lo)) {
            throw new IllegalArgumentException("logSpace needs 0 < lo <= hi and count >= 1");
        }
        double[] out = new double[count];
        double a = Math.log(lo), b = Math.log(hi);
        for (int i = 0; i < count; i++) {
            out[i] = count == 1 ? lo : Math.exp(a + (b - a) * i / (count - 1));
        }
        out[count - 1] = count == 1 ? lo : hi;
        return out;
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
