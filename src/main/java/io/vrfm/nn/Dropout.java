package io.vrfm.nn;

import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** Inverted dropout, active only in training mode. */
public final class Dropout extends Module {
    private final float p;
    private final Rng rng;

    public Dropout(float p, Rng rng) {
        this.p = p;
        this.rng = randomStream(rng);
    }

    public Tensor forward(Tensor x) {
        return NeuralOps.dropout(x, p, rng, isTraining());
    }
}
