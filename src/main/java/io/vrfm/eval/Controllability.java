package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * The paper's controllability figures for a V-RFM image model (Figs 6/7): the 2-D latent manifold for fixed
 * {@code x0}, grids where every row shares one {@code z} and every column one {@code x0}, and Fig. 7's panels: each
 * panel one {@code z}, the source noise varying within a panel and the same at the same grid place in every panel.
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

    /**
     * Paper Fig. 7: {@code panels} grids of {@code rows × cols} samples; panel {@code p} uses latent {@code z_p} for
     * all its images, the image at grid place {@code k} starts from {@code x0_k} in every panel. {@code x0} (all
     * {@code rows·cols} of them) is drawn from {@code rng} first, then the {@code z}s. Returns
     * {@code [panels][rows·cols·C·H·W]} in [-1, 1], row-major within each panel; all panels integrate as one batch.
     */
    public static float[][] panelsShareZ(Backend be, VelocityField field, int panels, int rows, int cols, int[] chw,
                                         ImageSampling.SamplerSpec spec, Rng rng) {
        int d = field.latentDim();
        if (d < 1) {
            throw new IllegalArgumentException("controllability: needs a V-RFM model (latent > 0), this one has none");
        }
        if (panels < 1 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException("controllability: panels, rows and cols must be >= 1");
        }
        int per = chw[0] * chw[1] * chw[2], k = rows * cols, n = panels * k;
        float[] x0 = Tensor.randn(be, rng, k, chw[0], chw[1], chw[2]).toArray();
        float[] z = Tensor.randn(be, rng, panels, d).toArray();
        float[] xs = new float[n * per], zs = new float[n * d];
        for (int p = 0; p < panels; p++) {
            for (int i = 0; i < k; i++) {
                System.arraycopy(x0, i * per, xs, (p * k + i) * per, per);
                System.arraycopy(z, p * d, zs, (p * k + i) * d, d);
            }
        }
        float[] all;
        try (GradMode.Scope s = GradMode.noGrad()) {
            all = ImageSampling.integrate(field, Tensor.of(be, xs, n, chw[0], chw[1], chw[2]),
                    Tensor.of(be, zs, n, d), spec).x().clamp(-1f, 1f).toArray();
        }
        float[][] out = new float[panels][];
        for (int p = 0; p < panels; p++) {
            out[p] = java.util.Arrays.copyOfRange(all, p * k * per, (p + 1) * k * per);
        }
        return out;
    }

    /**
     * Lays {@code panels} (each {@code rows × cols} images of {@code per} floats, row-major) side by side as one
     * grid of {@code rows} rows and {@code panels·cols + (panels − 1)·gap} columns, with {@code gap} blank (white,
     * value 1) image columns between panels; returns the images of that grid, row-major.
     */
    public static float[] sideBySide(float[][] panels, int rows, int cols, int per, int gap) {
        int width = panels.length * cols + (panels.length - 1) * gap;
        float[] out = new float[rows * width * per];
        java.util.Arrays.fill(out, 1f);
        for (int p = 0; p < panels.length; p++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int dst = r * width + p * (cols + gap) + c;
                    System.arraycopy(panels[p], (r * cols + c) * per, out, dst * per, per);
                }
            }
        }
        return out;
    }
}
