package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.EnumSet;

/**
 * V-SiT's recognition model {@code q_φ(z | x1, t)} (paper §4.5): a SiT trunk with half the blocks of the velocity
 * model (at least one) on the data {@code x1} — patch embedding + sin-cos {@code pos_embed}, its own
 * {@link TimestepEmbedder} for {@code t} as the adaLN conditioning — then a LayerNorm without affine, the mean over
 * tokens, and {@code head.0} Linear → SiLU → {@code head.2} Linear to {@code [μ | log σ²]}.
 * Parameter names follow SiT's ({@code x_embedder.proj.weight}, {@code blocks.N.…}) under the caller's prefix.
 */
public final class SiTPosterior extends Module implements PosteriorEncoder {
    private final SiTConfig cfg;
    private final PatchEmbed xEmbedder;
    private final TimestepEmbedder tEmbedder;
    private final Tensor posEmbed;
    private final SiTBlock[] blocks;
    private final LayerNorm norm;
    private final Linear h0, h2;

    /** Uses {@code cfg}'s image shape, width, heads and latent size, and {@code max(1, depth/2)} blocks. */
    public SiTPosterior(Backend be, Rng rng, SiTConfig cfg) {
        if (cfg.latentDim() <= 0) {
            throw new IllegalArgumentException("SiTPosterior: the config has no latent (latentDim = 0)");
        }
        this.cfg = cfg;
        int w = cfg.width(), grid = cfg.inputSize() / cfg.patch();
        this.xEmbedder = child("x_embedder", new PatchEmbed(be, rng, cfg.inChannels(), w, cfg.patch()));
        this.tEmbedder = child("t_embedder", new TimestepEmbedder(be, rng, w));
        this.posEmbed = param("pos_embed", Tensor.of(be, PatchEmbed.sinCos2d(w, grid), 1, grid * grid, w))
                .requiresGrad(false);
        ModuleList list = child("blocks", new ModuleList());
        this.blocks = new SiTBlock[Math.max(1, cfg.depth() / 2)];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = list.add(new SiTBlock(be, rng, w, cfg.heads(), cfg.mlpRatio()));
        }
        this.norm = child("norm", new LayerNorm(be, w, false, 1e-6f));
        Slots head = child("head", new Slots());
        this.h0 = head.put(0, new Linear(be, rng, w, w));
        this.h2 = head.put(2, new Linear(be, rng, w, 2 * cfg.latentDim()));
        SiTInit.xavier(h0, rng);
        SiTInit.xavier(h2, rng);
    }

    @Override
    public Tensor[] encode(Tensor x0, Tensor x1, Tensor xt, Tensor t) {
        if (x1 == null || t == null) {
            throw new IllegalArgumentException("SiTPosterior: needs x1 and t");
        }
        Tensor h = xEmbedder.forward(x1).add(posEmbed);
        Tensor c = tEmbedder.forward(t);
        for (SiTBlock b : blocks) {
            h = b.forward(h, c);
        }
        Tensor pooled = norm.forward(h).mean(1, false);                        // [N, width]
        Tensor out = h2.forward(h0.forward(pooled).silu());
        return out.split(1, cfg.latentDim(), cfg.latentDim());
    }

    @Override
    public int latentDim() {
        return cfg.latentDim();
    }

    @Override
    public EnumSet<PosteriorInput> inputs() {
        return EnumSet.of(PosteriorInput.X1, PosteriorInput.T);
    }

    public int depth() {
        return blocks.length;
    }
}
