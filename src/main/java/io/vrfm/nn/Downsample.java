package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** torchcfm's {@code Downsample} with a learned convolution: a 3×3 conv with stride 2 and padding 1, named {@code op}. */
public final class Downsample extends Module implements EmbBlock {
    private final Conv2d op;

    public Downsample(Backend be, Rng rng, int channels, int outChannels) {
        this.op = child("op", new Conv2d(be, rng, channels, outChannels, 3, 2, 1));
    }

    public Tensor forward(Tensor x) {
        return op.forward(x);
    }

    @Override
    public Tensor forward(Tensor x, Tensor emb) {
        return forward(x);
    }
}
