package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * SiT's {@code TimestepEmbedder}: {@code t [N]} (used as given, t ∈ [0, 1] for flows) → 256 sinusoidal features
 * {@code [cos, sin]} (max period 10000) → {@code mlp.0} Linear → SiLU → {@code mlp.2} Linear, {@code [N, width]}.
 * Linear weights start as N(0, 0.02²), biases at zero (SiT's initialisation).
 */
public final class TimestepEmbedder extends Module {
    /** SiT's {@code frequency_embedding_size}. */
    public static final int FREQUENCIES = 256;
    private final SinusoidalEmbedding freq;
    private final Linear l0, l2;

    public TimestepEmbedder(Backend be, Rng rng, int width) {
        this.freq = new SinusoidalEmbedding(be, FREQUENCIES);
        Slots mlp = child("mlp", new Slots());
        this.l0 = mlp.put(0, new Linear(be, rng, FREQUENCIES, width));
        this.l2 = mlp.put(2, new Linear(be, rng, width, width));
        SiTInit.normal(l0.weight(), rng, 0.02f);
        SiTInit.normal(l2.weight(), rng, 0.02f);
        SiTInit.zero(l0.bias());
        SiTInit.zero(l2.bias());
    }

    public Tensor forward(Tensor t) {
        return l2.forward(l0.forward(freq.forward(t)).silu());
    }
}
