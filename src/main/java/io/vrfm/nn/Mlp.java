package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * A stack of Linear layers with an activation between them (none after the last unless {@code activateLast}).
 * Layers are named {@code layers.0}, {@code layers.1}, …
 */
public final class Mlp extends Module {
    private final Linear[] layers;
    private final Activation act;
    private final boolean activateLast;

    public Mlp(Backend be, Rng rng, Activation act, boolean activateLast, int... dims) {
        if (dims.length < 2) {
            throw new IllegalArgumentException("Mlp: needs at least input and output sizes");
        }
        this.act = act;
        this.activateLast = activateLast;
        this.layers = new Linear[dims.length - 1];
        ModuleList list = child("layers", new ModuleList());
        for (int i = 0; i < layers.length; i++) {
            layers[i] = list.add(new Linear(be, rng, dims[i], dims[i + 1]));
        }
    }

    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.length; i++) {
            x = i < layers.length - 1 || activateLast ? layers[i].forward(x, act) : layers[i].forward(x);
        }
        return x;
    }

    public int outDim() {
        return layers[layers.length - 1].out();
    }
}
