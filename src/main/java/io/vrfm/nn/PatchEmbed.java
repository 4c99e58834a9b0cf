package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * Patch embedding of a vision transformer (timm's {@code PatchEmbed}): a convolution with kernel = stride =
 * {@code patch} ({@code proj.weight [width, C, p, p]}, {@code proj.bias [width]}) turns {@code [N, C, H, W]} into
 * {@code [N, T, width]} tokens in row-major patch order, {@code T = (H/p)·(W/p)}. {@link #unpatchify} is the inverse
 * layout for the model's output.
 */
public final class PatchEmbed extends Module {
    private final Conv2d proj;
    private final int patch, channels, width;

    public PatchEmbed(Backend be, Rng rng, int channels, int width, int patch) {
        this.proj = child("proj", new Conv2d(be, rng, channels, width, patch, patch, 0));
        this.patch = patch;
        this.channels = channels;
        this.width = width;
    }

    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != channels || x.dim(2) % patch != 0 || x.dim(3) % patch != 0) {
            throw new IllegalArgumentException("PatchEmbed: input " + x.shapeString() + " must be [N, " + channels
                    + ", H, W] with H and W divisible by the patch size " + patch);
        }
        int n = x.dim(0), t = (x.dim(2) / patch) * (x.dim(3) / patch);
        return proj.forward(x).reshape(n, width, t).transpose(1, 2);
    }

    public int patch() {
        return patch;
    }

    /**
     * SiT's {@code unpatchify}: tokens {@code [N, gridH·gridW, p·p·C]} (each token's features ordered
     * {@code (row-in-patch, column-in-patch, channel)}) back to {@code [N, C, gridH·p, gridW·p]}.
     */
    public static Tensor unpatchify(Tensor x, int patch, int channels, int gridH, int gridW) {
        int n = x.dim(0);
        if (x.rank() != 3 || x.dim(1) != gridH * gridW || x.dim(2) != patch * patch * channels) {
            throw new IllegalArgumentException("unpatchify: tokens " + x.shapeString() + " do not match a " + gridH
                    + "×" + gridW + " grid of " + patch + "×" + patch + " patches with " + channels + " channels");
        }
        return x.reshape(n, gridH, gridW, patch, patch, channels)
                .permute(0, 5, 1, 3, 2, 4)
                .reshape(n, channels, gridH * patch, gridW * patch);
    }

    /**
     * The fixed 2-D sin-cos position embedding of MAE / DiT / SiT ({@code get_2d_sincos_pos_embed}) for a square
     * {@code grid × grid} of tokens, {@code [grid·grid, dim]}: the first {@code dim/2} features encode the column,
     * the rest the row, each as {@code [sin(pos·ω), cos(pos·ω)]} with {@code ω_d = 10000^(−d/(dim/4))}.
     */
    public static float[] sinCos2d(int dim, int grid) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("sin-cos position embedding: width " + dim + " must be divisible by 4");
        }
        int quarter = dim / 4;
        float[] out = new float[grid * grid * dim];
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                int base = (i * grid + j) * dim;
                for (int d = 0; d < quarter; d++) {
                    double omega = 1.0 / Math.pow(10000.0, d / (double) quarter);
                    out[base + d] = (float) Math.sin(j * omega);
                    out[base + quarter + d] = (float) Math.cos(j * omega);
                    out[base + 2 * quarter + d] = (float) Math.sin(i * omega);
                    out[base + 3 * quarter + d] = (float) Math.cos(i * omega);
                }
            }
        }
        return out;
    }
}
