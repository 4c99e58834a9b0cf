package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.EnumSet;

/**
 * The CIFAR-10 posterior (paper App. D.3): the UNet's encoder half without the decoder and with more
 * downsampling. The chosen image inputs ({@code x0}, {@code x1}, {@code x_t}) are concatenated on channels and
 * enter a 3×3 conv ({@code input_blocks.0.0}); each level has {@code numResBlocks} torchcfm {@link ResBlock}s and a
 * stride-2 {@link Downsample}, until the map is 1×1 (32 → 16 → 8 → 4 → 2 → 1); at the spatial sizes listed in
 * {@code attentionSizes} every ResBlock is followed by a torchcfm {@link AttentionBlock} in the same
 * {@code input_blocks.N} (as {@code input_blocks.N.1}; 4 heads, of 64 channels when the width is a multiple of 64,
 * as the velocity UNet). Widths are
 * {@code base·mult[level]} with {@code mult = 1, 2, 2, 4, 4, 8, …} (base 16). When {@code t} is an input it goes
 * through torchcfm's time embedding ({@code time_embed}) and every ResBlock uses it as scale/shift of its
 * GroupNorm (adaptive GroupNorm); without {@code t} the blocks are unconditioned. A final GroupNorm + SiLU + 1×1
 * conv ({@code out.0}, {@code out.2}) gives {@code 2·latentDim} channels at 1×1: {@code [μ, log σ²]}.
 */
public final class UNetEncoder extends Module implements PosteriorEncoder {
    private final EnumSet<PosteriorInput> inputs;
    private final int latentDim;
    private final SinusoidalEmbedding timeFeatures;
    private final Linear time0, time2;
    private final EmbSequential[] blocks;
    private final GroupNorm outNorm;
    private final Conv2d outConv;
    private final int base;

    /** Without attention. */
    public UNetEncoder(Backend be, Rng rng, int channels, int imageSize, int base, int numResBlocks, int latentDim,
                       EnumSet<PosteriorInput> inputs) {
        this(be, rng, channels, imageSize, base, numResBlocks, new int[0], latentDim, inputs);
    }

    /**
     * @param numResBlocks   ResBlocks per level ({@code >= 1})
     * @param attentionSizes spatial sizes (e.g. 16 for the 16×16 level of a 32×32 input) whose ResBlocks are followed
     *                       by self-attention; empty for none
     */
    public UNetEncoder(Backend be, Rng rng, int channels, int imageSize, int base, int numResBlocks,
                       int[] attentionSizes, int latentDim, EnumSet<PosteriorInput> inputs) {
        if (numResBlocks < 1) {
            throw new IllegalArgumentException("UNetEncoder: needs at least one ResBlock per level, got " + numResBlocks);
        }
        this.inputs = EnumSet.copyOf(inputs);
        this.latentDim = latentDim;
        this.base = base;
        int images = 0;
        for (PosteriorInput p : inputs) {
            if (p != PosteriorInput.T) images++;
        }
        if (images == 0) {
            throw new IllegalArgumentException("UNetEncoder: needs at least one image input (x0, x1 or xt)");
        }
        boolean withT = inputs.contains(PosteriorInput.T);
        int embDim = withT ? 4 * base : 0;
        if (withT) {
            timeFeatures = new SinusoidalEmbedding(be, base);
            Slots te = child("time_embed", new Slots());
            time0 = te.put(0, new Linear(be, rng, base, embDim));
            time2 = te.put(2, new Linear(be, rng, embDim, embDim));
        } else {
            timeFeatures = null;
            time0 = null;
            time2 = null;
        }
        ModuleList list = child("input_blocks", new ModuleList());
        java.util.List<EmbSequential> bl = new java.util.ArrayList<>();
        EmbSequential first = list.add(new EmbSequential());
        int ch = base;
        first.add(new Conv2d(be, rng, channels * images, ch, 3, 1, 1));
        bl.add(first);
        int size = imageSize, level = 0;
        while (true) {
            int width = base * mult(level);
            for (int r = 0; r < numResBlocks; r++) {
                EmbSequential b = list.add(new EmbSequential());
                b.add(new ResBlock(be, rng, ch, embDim, 0f, width, withT, Norms.groupsFor(Math.min(ch, width))));
                ch = width;
                if (contains(attentionSizes, size)) {
                    b.add(new AttentionBlock(be, rng, ch, 4, ch % 64 == 0 ? 64 : -1, Norms.groupsFor(ch)));
                }
                bl.add(b);
            }
            if (size <= 1) break;
            EmbSequential d = list.add(new EmbSequential());
            d.add(new Downsample(be, rng, ch, ch));
            bl.add(d);
            size = (size + 1) / 2;
            level++;
        }
        this.blocks = bl.toArray(new EmbSequential[0]);
        Slots out = child("out", new Slots());
        this.outNorm = out.put(0, new GroupNorm(be, Norms.groupsFor(ch), ch));
        this.outConv = out.put(2, new Conv2d(be, rng, ch, 2 * latentDim, 1, 1, 0));
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) return true;
        }
        return false;
    }

    /** 1, 2, 2, 4, 4, 8, 8, … */
    static int mult(int level) {
        return 1 << ((level + 1) / 2);
    }

    @Override
    public Tensor[] encode(Tensor x0, Tensor x1, Tensor xt, Tensor t) {
        java.util.List<Tensor> parts = new java.util.ArrayList<>();
        if (inputs.contains(PosteriorInput.X0)) parts.add(x0);
        if (inputs.contains(PosteriorInput.X1)) parts.add(x1);
        if (inputs.contains(PosteriorInput.XT)) parts.add(xt);
        for (Tensor p : parts) {
            if (p == null) {
                throw new IllegalArgumentException("UNetEncoder: an image input in " + PosteriorInput.format(inputs) + " is null");
            }
        }
        Tensor h = parts.size() == 1 ? parts.get(0) : Tensor.concat(1, parts.toArray(new Tensor[0]));
        int n = h.dim(0);
        Tensor emb = null;
        if (time0 != null) {
            emb = time2.forward(time0.forward(timeFeatures.forward(t.reshape(n))).silu());
        }
        for (EmbSequential b : blocks) {
            h = b.forward(h, emb);
        }
        Tensor out = outConv.forward(outNorm.forward(h).silu()).reshape(n, 2 * latentDim);
        return out.split(1, latentDim, latentDim);
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
