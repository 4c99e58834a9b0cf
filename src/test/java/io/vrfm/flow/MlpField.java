package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.nn.Activation;
import io.vrfm.nn.Mlp;
import io.vrfm.nn.Module;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** A user-style velocity field for tests: {@code v = MLP([x, t, z])}. */
public final class MlpField extends Module implements VelocityField {
    private final Mlp net;
    private final int latent;

    public MlpField(Backend be, Rng rng, int dim, int latent, int hidden) {
        this.latent = latent;
        this.net = child("net", new Mlp(be, rng, Activation.GELU, false, dim + 1 + latent, hidden, hidden, dim));
    }

    @Override
    public Tensor velocity(Tensor x, Tensor t, Tensor z) {
        Tensor in = Tensor.concat(1, x, t.reshape(-1, 1));
        return net.forward(z == null ? in : Tensor.concat(1, in, z));
    }

    @Override
    public int latentDim() {
        return latent;
    }
}
