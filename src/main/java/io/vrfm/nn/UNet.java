package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The guided-diffusion UNet as torchcfm's {@code UNetModelWrapper} builds it, with the same parameter names and
 * shapes ({@code time_embed.0.weight}, {@code input_blocks.1.0.in_layers.2.weight},
 * {@code middle_block.1.qkv.weight}, {@code out.2.weight}, …), so a PyTorch state dict exported to safetensors
 * loads. Time enters as torchcfm does: {@code timestep_embedding(t, model_channels)} of the raw {@code t ∈ [0, 1]}
 * (no ×1000), then {@code Linear → SiLU → Linear} to {@code 4·model_channels}.
 *
 * <p>With {@code latentDim > 0} it is a V-RFM velocity field: {@code z} passes {@code latent_embed.0} (Linear),
 * SiLU, {@code latent_embed.2} (Linear) and is fused as {@link LatentFusion} says.
 */
public final class UNet extends Module implements VelocityField {
    private final UNetConfig cfg;
    private final SinusoidalEmbedding timeFeatures;
    private final Linear time0, time2;
    private final Linear latent0, latent2;
    private final List<EmbSequential> inputBlocks = new ArrayList<>();
    private final EmbSequential middle;
    private final List<EmbSequential> outputBlocks = new ArrayList<>();
    private final GroupNorm outNorm;
    private final Conv2d outConv;

    public UNet(Backend be, Rng rng, UNetConfig cfg) {
        this.cfg = cfg;
        int mc = cfg.modelChannels();
        int embDim = 4 * mc;
        int groups = cfg.groups();
        float p = cfg.dropout();
        boolean ss = cfg.useScaleShiftNorm();
        int[] attnDs = cfg.attentionDs();

        this.timeFeatures = new SinusoidalEmbedding(be, mc);
        Slots te = child("time_embed", new Slots());
        this.time0 = te.put(0, new Linear(be, rng, mc, embDim));
        this.time2 = te.put(2, new Linear(be, rng, embDim, embDim));

        ModuleList inputs = child("input_blocks", new ModuleList());
        int ch = cfg.channelMult()[0] * mc;
        int inputCh = ch;
        EmbSequential first = inputs.add(new EmbSequential());
        first.add(new Conv2d(be, rng, cfg.inChannels(), ch, 3, 1, 1));
        inputBlocks.add(first);
        Deque<Integer> chans = new ArrayDeque<>();
        chans.push(ch);
        int ds = 1;
        int levels = cfg.channelMult().length;
        for (int level = 0; level < levels; level++) {
            int mult = cfg.channelMult()[level];
            for (int r = 0; r < cfg.numResBlocks(); r++) {
                EmbSequential block = inputs.add(new EmbSequential());
                block.add(new ResBlock(be, rng, ch, embDim, p, mult * mc, ss, groups));
                ch = mult * mc;
                if (contains(attnDs, ds)) {
                    block.add(new AttentionBlock(be, rng, ch, cfg.numHeads(), cfg.numHeadChannels(), groups));
                }
                inputBlocks.add(block);
                chans.push(ch);
            }
            if (level != levels - 1) {
                EmbSequential block = inputs.add(new EmbSequential());
                block.add(new Downsample(be, rng, ch, ch));
                inputBlocks.add(block);
                chans.push(ch);
                ds *= 2;
            }
        }
        int bottleneckCh = ch;

        this.middle = child("middle_block", new EmbSequential());
        middle.add(new ResBlock(be, rng, ch, embDim, p, ch, ss, groups));
        middle.add(new AttentionBlock(be, rng, ch, cfg.numHeads(), cfg.numHeadChannels(), groups));
        middle.add(new ResBlock(be, rng, ch, embDim, p, ch, ss, groups));

        ModuleList outputs = child("output_blocks", new ModuleList());
        for (int level = levels - 1; level >= 0; level--) {
            int mult = cfg.channelMult()[level];
            for (int i = 0; i <= cfg.numResBlocks(); i++) {
                int ich = chans.pop();
                EmbSequential block = outputs.add(new EmbSequential());
                block.add(new ResBlock(be, rng, ch + ich, embDim, p, mc * mult, ss, groups));
                ch = mc * mult;
                if (contains(attnDs, ds)) {
                    block.add(new AttentionBlock(be, rng, ch, cfg.numHeads(), cfg.numHeadChannels(), groups));
                }
                if (level > 0 && i == cfg.numResBlocks()) {
                    block.add(new Upsample(be, rng, ch, ch));
                    ds /= 2;
                }
                outputBlocks.add(block);
            }
        }
        Slots out = child("out", new Slots());
        this.outNorm = out.put(0, new GroupNorm(be, groups, ch));
        this.outConv = out.put(2, Zero.init(new Conv2d(be, rng, inputCh, cfg.inChannels(), 3, 1, 1)));

        if (cfg.latentDim() > 0) {
            int outWidth = cfg.fusion() == LatentFusion.ADAPTIVE_NORM ? embDim : bottleneckCh;
            Slots le = child("latent_embed", new Slots());
            this.latent0 = le.put(0, new Linear(be, rng, cfg.latentDim(), cfg.latentHidden()));
            this.latent2 = le.put(2, new Linear(be, rng, cfg.latentHidden(), outWidth));
        } else {
            this.latent0 = null;
            this.latent2 = null;
        }
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) return true;
        }
        return false;
    }

    public UNetConfig config() {
        return cfg;
    }

    @Override
    public int latentDim() {
        return cfg.latentDim();
    }

    /** The plain UNet forward ({@code z} null) or the V-RFM one. {@code x [N, C, H, W]}, {@code t [N]}. */
    @Override
    public Tensor velocity(Tensor x, Tensor t, Tensor z) {
        int n = x.dim(0);
        if (x.rank() != 4 || x.dim(1) != cfg.inChannels()) {
            throw new IllegalArgumentException("UNet: input " + x.shapeString() + " is not [N, " + cfg.inChannels() + ", H, W]");
        }
        Tensor emb = time2.forward(time0.forward(timeFeatures.forward(t.reshape(n))).silu());
        Tensor zEmb = null;
        if (cfg.latentDim() > 0) {
            if (z == null || z.rank() != 2 || z.dim(0) != n || z.dim(1) != cfg.latentDim()) {
                throw new IllegalArgumentException("UNet: latent z " + (z == null ? "null" : z.shapeString())
                        + " is not [" + n + ", " + cfg.latentDim() + "]");
            }
            zEmb = latent2.forward(latent0.forward(z).silu());
            if (cfg.fusion() == LatentFusion.ADAPTIVE_NORM) {
                emb = emb.add(zEmb);
            }
        }
        Deque<Tensor> hs = new ArrayDeque<>();
        Tensor h = x;
        for (EmbSequential b : inputBlocks) {
            h = b.forward(h, emb);
            hs.push(h);
        }
        if (zEmb != null && cfg.fusion() == LatentFusion.BOTTLENECK_SUM) {
            Tensor tiled = zEmb.reshape(n, h.dim(1), 1, 1).expand(h.shape());
            h = tiled.mul(0.9f).add(h.mul(0.1f));
        }
        h = middle.forward(h, emb);
        for (EmbSequential b : outputBlocks) {
            h = b.forward(Tensor.concat(1, h, hs.pop()), emb);
        }
        return outConv.forward(outNorm.forward(h).silu());
    }

    /** torchcfm's call order: {@code forward(t, x)}. */
    public Tensor forward(Tensor t, Tensor x) {
        return velocity(x, t, null);
    }
}
