package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * The transformer MLP (timm's {@code Mlp} as DiT / SiT configure it): {@code fc1} to the hidden width, tanh-GELU,
 * {@code fc2} back. Parameters {@code fc1.weight/bias}, {@code fc2.weight/bias}.
 */
public final class FeedForward extends Module {
    private final Linear fc1, fc2;

    public FeedForward(Backend be, Rng rng, int width, int hidden) {
        this.fc1 = child("fc1", new Linear(be, rng, width, hidden));
        this.fc2 = child("fc2", new Linear(be, rng, hidden, width));
    }

    public Tensor forward(Tensor x) {
        return fc2.forward(fc1.forward(x).geluTanh());
    }
}
