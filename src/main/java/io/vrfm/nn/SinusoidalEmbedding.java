package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Tensor;

/**
 * Sinusoidal features of a scalar per sample, as torchcfm's {@code timestep_embedding}: for {@code t [N]}, returns
 * {@code [N, dim]} = {@code [cos(t·f), sin(t·f)]} with {@code f_i = exp(−ln(maxPeriod)·i/half)}.
 * {@code scale} multiplies {@code t} first (t ∈ [0, 1] is often scaled by 1000).
 */
public final class SinusoidalEmbedding extends Module {
    private final int dim;
    private final Tensor freqs;
    private final float scale;

    public SinusoidalEmbedding(Backend be, int dim, float maxPeriod, float scale) {
        if (dim < 2) {
            throw new IllegalArgumentException("SinusoidalEmbedding: dim must be >= 2, got " + dim);
        }
        this.dim = dim;
        this.scale = scale;
        int half = dim / 2;
        float[] f = new float[half];
        for (int i = 0; i < half; i++) {
            f[i] = (float) Math.exp(-Math.log(maxPeriod) * i / half);
        }
        this.freqs = Tensor.of(be, f, 1, half);
    }

    public SinusoidalEmbedding(Backend be, int dim) {
        this(be, dim, 10000f, 1f);
    }

    public int dim() {
        return dim;
    }

    /** {@code t} of {@code [N]} or {@code [N, 1]}. */
    public Tensor forward(Tensor t) {
        int n = t.dim(0);
        if (t.size() != n) {
            throw new IllegalArgumentException("SinusoidalEmbedding: expects one value per sample, got " + t.shapeString());
        }
        Tensor args = t.reshape(n, 1).mul(scale).mul(freqs);
        Tensor emb = Tensor.concat(1, args.cos(), args.sin());
        if (dim % 2 == 1) {
            emb = Tensor.concat(1, emb, Tensor.zeros(t.backend(), n, 1));
        }
        return emb;
    }
}
