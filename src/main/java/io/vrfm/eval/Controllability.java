package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * The paper's controllability figures for a V-RFM image model (Figs 6/7): the 2-D latent manifold for fixed
 * {@code x0}, and grids where every row shares one {@code z} and every column one {@code x0}.
 */
public final class Controllability {
    private Controllability() {
    }

    /**
     * For each of {@code x0s.length} fixed source images, a {@code g × g} grid of samples over
     * {@link NormalQuantile#grid2d}; returns {@code [x0s.length][g·g·C·H·W]} in [-1, 1].
     */
    public static float[][] manifold(Backend be, VelocityField field, Tensor x0s, int g, ImageSampling.SamplerSpec spec) {
        if (field.latentDim() != 2) {
            throw new IllegalArgumentException("manifold: needs a 2-D latent, the model has " + field.latentDim());
        }
        int k = x0s.dim(0), per = (int) (x0s.size() / k);
        float[] zs = NormalQuantile.grid2d(g);
        Tensor z = Tensor.of(be, zs, g * g, 2);
        float[][] out = new float[k][];
        float[] src = x0s.toArray();
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (int i = 0; i < k; i++) {
                float[] rep = new float[g * g * per];
                for (int j = 0; j < g * g; j++) {
                    System.arraycopy(src, i * per, rep, j * per, per);
                }
                int[] shape = x0s.shape();
                shape[0] = g * g;
                Tensor x = Tensor.of(be, rep, shape);
                out[i] = ImageSampling.integrate(field, x, z, spec).x().clamp(-1f, 1f).toArray();
            }
        }
        return out;
    }

    /** {@code rows × cols} samples: row {@code r} uses latent {@code z_r}, column {@code c} uses source {@code x0_c}. */
    public static float[] rowsShareZ(Backend be, VelocityField field, int rows, int cols, int[] chw,
                                     ImageSampling.SamplerSpec spec, Rng rng) {
        int per = chw[0] * chw[1] * chw[2];
        float[] x0 = Tensor.randn(be, rng, cols, chw[0], chw[1], chw[2]).toArray();
        float[] z = Tensor.randn(be, rng, rows, field.latentDim()).toArray();
        int d = field.latentDim();
        float[] xs = new float[rows * cols * per], zs = new float[rows * cols * d];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int k = r * cols + c;
                System.arraycopy(x0, c * per, xs, k * per, per);
                System.arraycopy(z, r * d, zs, k * d, d);
            }
        }
        try (GradMode.Scope s = GradMode.noGrad()) {
            return ImageSampling.integrate(field, Tensor.of(be, xs, rows * cols, chw[0], chw[1], chw[2]),
                    Tensor.of(be, zs, rows * cols, d), spec).x().clamp(-1f, 1f).toArray();
        }
    }
}
