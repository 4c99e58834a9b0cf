package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.EnumSet;
import java.util.Locale;

/**
 * The V-RFM recognition model of the synthetic experiments (App. D.1): one encoder per selected input
 * ({@code x0}, {@code x1}, {@code x_t}, {@code t}; sinusoidal encoding + 2 Linear layers, GELU, width 64), the
 * embeddings concatenated and mapped by a 3-layer GELU MLP (hidden 128) to {@code [μ, log σ²]}.
 *
 * <p>Parameter names: {@code enc_x0.*}, {@code enc_x1.*}, {@code enc_xt.*}, {@code enc_t.*} (only those selected),
 * {@code head.layers.{0,1,2}.*}.
 */
public final class SyntheticPosterior extends Module implements PosteriorEncoder {
    public static final int HIDDEN = 128;

    private final EnumSet<PosteriorInput> inputs;
    private final int latentDim;
    private final ScalarEncoder[] enc = new ScalarEncoder[PosteriorInput.values().length];
    private final Mlp head;

    public SyntheticPosterior(Backend be, Rng rng, int dim, int latentDim, EnumSet<PosteriorInput> inputs) {
        this(be, rng, dim, latentDim, inputs, SyntheticVelocityNet.WIDTH, HIDDEN);
    }

    public SyntheticPosterior(Backend be, Rng rng, int dim, int latentDim, EnumSet<PosteriorInput> inputs,
                              int width, int hidden) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("posterior inputs: choose at least one of x0, x1, xt, t");
        }
        this.inputs = EnumSet.copyOf(inputs);
        this.latentDim = latentDim;
        for (PosteriorInput p : inputs) {
            enc[p.ordinal()] = child("enc_" + p.name().toLowerCase(Locale.ROOT),
                    new ScalarEncoder(be, rng, p == PosteriorInput.T ? 1 : dim, width));
        }
        this.head = child("head", new Mlp(be, rng, SyntheticVelocityNet.ACTIVATION, false, inputs.size() * width, hidden, hidden,
                2 * latentDim));
    }

    @Override
    public Tensor[] encode(Tensor x0, Tensor x1, Tensor xt, Tensor t) {
        Tensor[] parts = new Tensor[inputs.size()];
        int k = 0;
        for (PosteriorInput p : inputs) {
            Tensor in;
            switch (p) {
                case X0: in = x0; break;
                case X1: in = x1; break;
                case XT: in = xt; break;
                default: in = t; break;
            }
            if (in == null) {
                throw new IllegalArgumentException("posterior: input " + p.name().toLowerCase(Locale.ROOT) + " is null");
            }
            parts[k++] = enc[p.ordinal()].forward(in);
        }
        Tensor h = parts.length == 1 ? parts[0] : Tensor.concat(1, parts);
        Tensor out = head.forward(h);
        Tensor[] ml = out.split(1, latentDim, latentDim);
        return new Tensor[]{ml[0], ml[1]};
    }

    @Override
    public int latentDim() {
        return latentDim;
    }

    @Override
    public EnumSet<PosteriorInput> inputs() {
        return EnumSet.copyOf(inputs);
    }
}
