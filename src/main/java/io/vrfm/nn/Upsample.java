package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** torchcfm's {@code Upsample} with a learned convolution: nearest 2× then a 3×3 conv, named {@code conv}. */
public final class Upsample extends Module implements EmbBlock {
    private final Conv2d conv;

    public Upsample(Backend be, Rng rng, int channels, int outChannels) {
        this.conv = child("conv", new Conv2d(be, rng, channels, outChannels, 3, 1, 1));
    }

    public Tensor forward(Tensor x) {
        return conv.forward(NeuralOps.upsampleNearest(x, 2));
    }

    @Override
    public Tensor forward(Tensor x, Tensor emb) {
        return forward(x);
    }
}
