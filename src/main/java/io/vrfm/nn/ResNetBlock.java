package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * A plain pre-activation ResNet block (paper App. D.2): {@code x + Conv3(SiLU(GN(Conv3(SiLU(GN(x))))))}, width
 * kept. Parameters {@code norm1}, {@code conv1}, {@code norm2}, {@code conv2}.
 */
public final class ResNetBlock extends Module {
    private final GroupNorm norm1, norm2;
    private final Conv2d conv1, conv2;

    public ResNetBlock(Backend be, Rng rng, int channels) {
        int g = Norms.groupsFor(channels);
        this.norm1 = child("norm1", new GroupNorm(be, g, channels));
        this.conv1 = child("conv1", new Conv2d(be, rng, channels, channels, 3, 1, 1));
        this.norm2 = child("norm2", new GroupNorm(be, g, channels));
        this.conv2 = child("conv2", new Conv2d(be, rng, channels, channels, 3, 1, 1));
    }

    public Tensor forward(Tensor x) {
        Tensor h = conv1.forward(norm1.forward(x).silu());
        h = conv2.forward(norm2.forward(h).silu());
        return x.add(h);
    }
}
