package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * SiT's {@code FinalLayer}: LayerNorm without affine (eps 1e-6), adaLN modulation (SiLU → Linear to
 * {@code 2·width}: shift, scale) and {@code linear} to {@code p·p·outChannels} per token. The modulation and the
 * linear start at zero (adaLN-Zero), so a fresh model outputs zero.
 */
public final class SiTFinalLayer extends Module {
    private final LayerNorm norm;
    private final Linear linear, modulation;
    private final int width;

    public SiTFinalLayer(Backend be, Rng rng, int width, int patch, int outChannels) {
        this.width = width;
        this.norm = child("norm_final", new LayerNorm(be, width, false, 1e-6f));
        this.linear = child("linear", new Linear(be, rng, width, patch * patch * outChannels));
        this.modulation = child("adaLN_modulation", new Slots()).put(1, new Linear(be, rng, width, 2 * width));
        Zero.init(linear);
        Zero.init(modulation);
    }

    /** {@code x [N, T, width]}, {@code c [N, width]} → {@code [N, T, p·p·outChannels]}. */
    public Tensor forward(Tensor x, Tensor c) {
        Tensor[] m = modulation.forward(c.silu()).split(1, width, width);
        return linear.forward(SiTBlock.modulate(norm.forward(x), m[0], m[1]));
    }
}
