package io.vrfm.eval;

import io.vrfm.data.Distribution;
import io.vrfm.tensor.Rng;

import java.util.SplittableRandom;

/** Small known distributions and samplers for the metric tests (independent of the data package's own). */
final class TestDistributions {
    private TestDistributions() {
    }

    /** Isotropic Gaussian N(mean·1, sigma² I) in {@code dim} dimensions. */
    static Distribution gaussian(int dim, double mean, double sigma) {
        return new Distribution() {
            @Override
            public String name() {
                return "gaussian";
            }

            @Override
            public int dim() {
                return dim;
            }

            @Override
            public float[] sample(Rng rng, int n) {
                float[] out = new float[n * dim];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) (mean + sigma * rng.nextGaussian());
                }
                return out;
            }

            @Override
            public double logDensity(float[] x, int offset) {
                double s = 0;
                for (int d = 0; d < dim; d++) {
                    double z = (x[offset + d] - mean) / sigma;
                    s += -0.5 * z * z - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
                }
                return s;
            }
        };
    }

    /** Uniform on [0, 1]: log density 0 inside, −∞ outside. */
    static Distribution unitUniform() {
        return new Distribution() {
            @Override
            public String name() {
                return "uniform";
            }

            @Override
            public int dim() {
                return 1;
            }

            @Override
            public float[] sample(Rng rng, int n) {
                float[] out = new float[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) rng.nextDouble();
                }
                return out;
            }

            @Override
            public double logDensity(float[] x, int offset) {
                float v = x[offset];
                return v >= 0 && v <= 1 ? 0.0 : Double.NEGATIVE_INFINITY;
            }
        };
    }

    static float[] normal(int count, double mean, double sigma, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) (mean + sigma * r.nextGaussian());
        }
        return out;
    }
}
