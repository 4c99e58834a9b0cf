package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * torchcfm's (guided diffusion's) residual block with a conditioning embedding:
 * {@code h = Conv3(SiLU(GN(x)))}, the embedding {@code e = Linear(SiLU(emb))} either added to {@code h}
 * (per channel) or used as scale/shift of the second GroupNorm ({@code useScaleShiftNorm}), then
 * {@code Conv3(Dropout(SiLU(GN(h))))} (zero-initialised) and a skip connection (1×1 conv when the width changes).
 * Parameter names match torchcfm: {@code in_layers.0}, {@code in_layers.2}, {@code emb_layers.1},
 * {@code out_layers.0}, {@code out_layers.3}, {@code skip_connection}. With {@code embChannels = 0} the block
 * has no {@code emb_layers} and ignores the embedding.
 */
public final class ResBlock extends Module implements EmbBlock {
    private final GroupNorm inNorm, outNorm;
    private final Conv2d inConv, outConv, skip;
    private final Linear embLinear;
    private final Dropout dropout;
    private final boolean scaleShift;
    private final int outChannels;

    public ResBlock(Backend be, Rng rng, int channels, int embChannels, float dropout, int outChannels,
                    boolean useScaleShiftNorm, int groups) {
        this.outChannels = outChannels;
        this.scaleShift = useScaleShiftNorm && embChannels > 0;
        Slots in = child("in_layers", new Slots());
        this.inNorm = in.put(0, new GroupNorm(be, groups, channels));
        this.inConv = in.put(2, new Conv2d(be, rng, channels, outChannels, 3, 1, 1));
        if (embChannels > 0) {
            Slots e = child("emb_layers", new Slots());
            this.embLinear = e.put(1, new Linear(be, rng, embChannels, scaleShift ? 2 * outChannels : outChannels));
        } else {
            this.embLinear = null;
        }
        Slots out = child("out_layers", new Slots());
        this.outNorm = out.put(0, new GroupNorm(be, groups, outChannels));
        this.dropout = out.put(2, new Dropout(dropout, rng.fork())); // out_layers.2 as in PyTorch (no parameters)
        this.outConv = out.put(3, Zero.init(new Conv2d(be, rng, outChannels, outChannels, 3, 1, 1)));
        this.skip = outChannels == channels ? null
                : child("skip_connection", new Conv2d(be, rng, channels, outChannels, 1, 1, 0));
    }

    @Override
    public Tensor forward(Tensor x, Tensor emb) {
        Tensor h = inConv.forward(inNorm.forward(x).silu());
        if (embLinear != null) {
            if (emb == null) {
                throw new IllegalArgumentException("ResBlock: this block needs a conditioning embedding");
            }
            Tensor e = embLinear.forward(emb.silu());
            if (scaleShift) {
                h = AdaptiveGroupNorm.modulate(outNorm.forward(h), e);
            } else {
                h = outNorm.forward(h.add(e.reshape(e.dim(0), e.dim(1), 1, 1)));
            }
        } else {
            h = outNorm.forward(h);
        }
        h = outConv.forward(dropout.forward(h.silu()));
        return (skip == null ? x : skip.forward(x)).add(h);
    }

    @Override
    public void train(boolean on) {
        super.train(on);
        dropout.train(on);
    }

    public int outChannels() {
        return outChannels;
    }
}
