package io.vrfm.data;

import io.vrfm.tensor.Rng;

/**
 * An equally weighted mixture of isotropic Gaussians {@code (1/K)·Σ_k N(μ_k, σ²I)} with exact sampling and exact
 * log-density (log-sum-exp over components).
 */
public final class GaussianMixture implements Distribution {
    private final String name;
    private final int dim;
    private final double[][] means;
    private final double std;

    public GaussianMixture(String name, double[][] means, double std) {
        if (means.length == 0) {
            throw new IllegalArgumentException("GaussianMixture: needs at least one component");
        }
        if (!(std > 0)) {
            throw new IllegalArgumentException("GaussianMixture: std must be positive, got " + std);
        }
        this.name = name;
        this.dim = means[0].length;
        for (double[] m : means) {
            if (m.length != dim) {
                throw new IllegalArgumentException("GaussianMixture: component means differ in dimension");
            }
        }
        this.means = means;
        this.std = std;
    }

    /** {@code k} components evenly spaced on a circle of {@code radius} (angle 0 first), each {@code N(·, std²I)}. */
    public static GaussianMixture ring(String name, int k, double radius, double std) {
        double[][] means = new double[k][];
        for (int i = 0; i < k; i++) {
            double a = 2 * Math.PI * i / k;
            means[i] = new double[]{radius * Math.cos(a), radius * Math.sin(a)};
        }
        return new GaussianMixture(name, means, std);
    }

    /** A standard normal in {@code dim} dimensions (a one-component mixture). */
    public static GaussianMixture standardNormal(int dim) {
        return new GaussianMixture("normal" + dim + "d", new double[][]{new double[dim]}, 1.0);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dim() {
        return dim;
    }

    public double std() {
        return std;
    }

    public int components() {
        return means.length;
    }

    public double[] mean(int k) {
        return means[k].clone();
    }

    @Override
    /**
     * {@code n} draws: per draw a component ({@link Rng#nextInt}, none with one component), then {@code dim}
     * normals ({@link Rng#nextGaussian}). The counters of all {@code n} draws are reserved at once and read with
     * {@link Rng#doubleAt} and {@link Rng#gaussianAt}: the numbers of one draw after another, without a lock per
     * number.
     */
    public float[] sample(Rng rng, int n) {
        float[] out = new float[n * dim];
        int pick = means.length == 1 ? 0 : 2, per = pick + 4 * dim;
        long base = rng.take((long) n * per);
        for (int i = 0; i < n; i++) {
            long c = base + (long) i * per;
            double[] m = means[pick == 0 ? 0 : (int) (rng.doubleAt(c) * means.length)];
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = (float) (m[j] + std * rng.gaussianAt(c + pick + 4L * j));
            }
        }
        return out;
    }

    @Override
    public double logDensity(float[] x, int offset) {
        double logNorm = -0.5 * dim * Math.log(2 * Math.PI * std * std) - Math.log(means.length);
        double best = Double.NEGATIVE_INFINITY;
        double[] e = new double[means.length];
        for (int k = 0; k < means.length; k++) {
            double s = 0;
            for (int j = 0; j < dim; j++) {
                double d = x[offset + j] - means[k][j];
                s += d * d;
            }
            e[k] = -0.5 * s / (std * std);
            best = Math.max(best, e[k]);
        }
        double acc = 0;
        for (double v : e) {
            acc += Math.exp(v - best);
        }
        return logNorm + best + Math.log(acc);
    }
}
