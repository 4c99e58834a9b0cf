package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * The velocity network of the paper's synthetic experiments (App. D.1). Separate encoders for {@code t} and
 * {@code x} (sinusoidal encoding + 2 Linear layers, GELU, width 64), their embeddings concatenated and decoded by
 * a 4-layer GELU MLP (64 hidden) to the velocity. With {@code latentDim > 0} (V-RFM) a 3-layer GELU MLP
 * (hidden 128, output 128) embeds {@code z} and its output joins the concatenation; the decoder's first layer
 * widens accordingly.
 *
 * <p>Parameter names: {@code t_enc.*}, {@code x_enc.*}, {@code z_enc.layers.{0,1,2}.*}, {@code decoder.layers.{0..3}.*}.
 */
public final class SyntheticVelocityNet extends Module implements VelocityField {
    public static final int WIDTH = 64;
    public static final int Z_HIDDEN = 128;
    /**
     * The GELU of every synthetic-task network: the tanh approximation (|difference| &lt; 5e-4 from the erf form), because
     * the CPU backend's exact erf is slow (see the report); the PyTorch peer uses {@code approximate="tanh"} too.
     */
    public static final Activation ACTIVATION = Activation.GELU_TANH;

    private final int dim, latentDim;
    private final ScalarEncoder tEnc, xEnc;
    private final Mlp zEnc;
    private final Mlp decoder;

    public SyntheticVelocityNet(Backend be, Rng rng, int dim, int latentDim) {
        this(be, rng, dim, latentDim, WIDTH, Z_HIDDEN);
    }

    public SyntheticVelocityNet(Backend be, Rng rng, int dim, int latentDim, int width, int zHidden) {
        this.dim = dim;
        this.latentDim = latentDim;
        this.tEnc = child("t_enc", new ScalarEncoder(be, rng, 1, width));
        this.xEnc = child("x_enc", new ScalarEncoder(be, rng, dim, width));
        this.zEnc = latentDim > 0
                ? child("z_enc", new Mlp(be, rng, ACTIVATION, false, latentDim, zHidden, zHidden, zHidden))
                : null;
        int in = 2 * width + (latentDim > 0 ? zHidden : 0);
        this.decoder = child("decoder", new Mlp(be, rng, ACTIVATION, false, in, width, width, width, dim));
    }

    @Override
    public Tensor velocity(Tensor x, Tensor t, Tensor z) {
        int n = x.dim(0);
        Tensor h;
        if (latentDim > 0) {
            if (z == null || z.dim(0) != n || z.size() != (long) n * latentDim) {
                throw new IllegalArgumentException("velocity: V-RFM net needs z of [" + n + ", " + latentDim + "], got "
                        + (z == null ? "null" : z.shapeString()));
            }
            h = Tensor.concat(1, tEnc.forward(t), xEnc.forward(x), zEnc.forward(z));
        } else {
            h = Tensor.concat(1, tEnc.forward(t), xEnc.forward(x));
        }
        return decoder.forward(h).reshape(x.shape());
    }

    @Override
    public int latentDim() {
        return latentDim;
    }

    public int dim() {
        return dim;
    }
}
