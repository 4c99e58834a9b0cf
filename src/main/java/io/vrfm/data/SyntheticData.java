package io.vrfm.data;

import io.vrfm.tensor.Rng;

import java.util.Locale;

/**
 * The synthetic source/target pairs of the paper (Sec. 4.1, 4.2) and a few classic 2-D toy targets.
 *
 * <p>Choices the paper leaves open, fixed here (and configurable through the factories):
 * <ul>
 *   <li>1D: {@code p0 = N(0, 1)}, target {@code ½N(−1, σ²) + ½N(+1, σ²)} with mode std {@link #MODE_STD_1D} = 0.1.</li>
 *   <li>2D: source 6 Gaussians evenly on the circle of radius 1/3, target 6 on radius 1 (Liu et al. 2023), both
 *       with component std {@link #COMPONENT_STD_2D} = 0.05 — small enough that the six modes are well
 *       separated on the inner ring (neighbour distance 1/3 ≈ 6.7σ) as in the paper's Fig. 4.</li>
 *   <li>moons, 8 Gaussians (radius 2, std 0.1) and checkerboard (FFJORD's), each from {@code N(0, I)}: 8 Gaussians
 *       and the checkerboard (uniform on its 8 squares) have exact densities; two moons' (a noise-smoothed
 *       curve) is not closed-form and {@code logDensity} returns NaN.</li>
 * </ul>
 */
public final class SyntheticData {
    public static final double MODE_STD_1D = 0.1;
    public static final double COMPONENT_STD_2D = 0.05;

    private SyntheticData() {
    }

    /** A source and a target distribution of equal dimension. */
    public record Task(String name, Distribution source, Distribution target) {
        public int dim() {
            return target.dim();
        }
    }

    public static Task oneD() {
        return oneD(MODE_STD_1D);
    }

    public static Task oneD(double modeStd) {
        return new Task("synthetic-1d", GaussianMixture.standardNormal(1),
                new GaussianMixture("bimodal1d", new double[][]{{-1.0}, {1.0}}, modeStd));
    }

    public static Task twoD() {
        return twoD(COMPONENT_STD_2D);
    }

    public static Task twoD(double std) {
        return new Task("synthetic-2d", GaussianMixture.ring("ring6-r1/3", 6, 1.0 / 3.0, std),
                GaussianMixture.ring("ring6-r1", 6, 1.0, std));
    }

    /** A 2-D toy target by name ({@code moons}, {@code 8gaussians}, {@code checkerboard}) from {@code N(0, I)}. */
    public static Task toy(String name) {
        Distribution target;
        switch (name.toLowerCase(Locale.ROOT)) {
            case "moons": target = new Moons(0.05); break;
            case "8gaussians": target = eightGaussians(); break;
            case "checkerboard": target = new Checkerboard(); break;
            default:
                throw new IllegalArgumentException("unknown toy data set '" + name + "' (moons, 8gaussians, checkerboard)");
        }
        return new Task(name, GaussianMixture.standardNormal(2), target);
    }

    /** 8 Gaussians evenly on the circle of radius 2, std 0.1 each (the usual toy layout; exact density). */
    public static GaussianMixture eightGaussians() {
        return GaussianMixture.ring("8gaussians", 8, 2.0, 0.1);
    }

    /** Two interleaved half circles (sklearn's make_moons layout) plus isotropic Gaussian noise; density unknown. */
    public static final class Moons implements Distribution {
        private final double noise;

        public Moons(double noise) {
            this.noise = noise;
        }

        @Override
        public String name() {
            return "moons";
        }

        @Override
        public int dim() {
            return 2;
        }

        @Override
        public float[] sample(Rng rng, int n) {
            float[] out = new float[2 * n];
            for (int i = 0; i < n; i++) {
                double a = Math.PI * rng.nextDouble();
                double x, y;
                if (rng.nextDouble() < 0.5) {
                    x = Math.cos(a);
                    y = Math.sin(a);
                } else {
                    x = 1 - Math.cos(a);
                    y = 0.5 - Math.sin(a);
                }
                // centre and scale roughly to unit variance
                out[2 * i] = (float) ((x - 0.5) * 1.5 + noise * rng.nextGaussian());
                out[2 * i + 1] = (float) ((y - 0.25) * 1.5 + noise * rng.nextGaussian());
            }
            return out;
        }

        /** Not closed-form (a Gaussian-smoothed curve): NaN. */
        @Override
        public double logDensity(float[] x, int offset) {
            return Double.NaN;
        }
    }

    /** FFJORD's checkerboard: uniform on 8 of the 16 unit squares of {@code [−2, 2]²}; exact density 1/8 inside. */
    public static final class Checkerboard implements Distribution {
        @Override
        public String name() {
            return "checkerboard";
        }

        @Override
        public int dim() {
            return 2;
        }

        @Override
        public float[] sample(Rng rng, int n) {
            float[] out = new float[2 * n];
            for (int i = 0; i < n; i++) {
                double x1 = rng.nextDouble() * 4 - 2;
                double x2 = rng.nextDouble() - rng.nextInt(2) * 2;
                // FFJORD: x2_ = rand - randint(0,2)*2 ; x2 = x2_ + floor(x1) % 2
                double shift = ((Math.floor(x1) % 2) + 2) % 2;
                out[2 * i] = (float) x1;
                out[2 * i + 1] = (float) (x2 + shift);
            }
            return out;
        }

        @Override
        public double logDensity(float[] x, int offset) {
            double a = x[offset], b = x[offset + 1];
            if (a < -2 || a >= 2 || b < -2 || b >= 2) {
                return Double.NEGATIVE_INFINITY;
            }
            long ia = (long) Math.floor(a), ib = (long) Math.floor(b);
            return ((ia + ib) % 2 + 2) % 2 == 0 ? Math.log(1.0 / 8.0) : Double.NEGATIVE_INFINITY;
        }
    }
}
