package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * Scalable interpolant transformer (SiT, Ma et al. 2024) as a velocity field, and the paper's V-SiT when
 * {@link SiTConfig#latentDim()} is above 0.
 *
 * <p>Forward: patch embedding + fixed sin-cos {@code pos_embed}; conditioning {@code c = t_embedder(t)
 * [+ y_embedder(y)] [+ z_embedder(z)]}; {@code depth} adaLN-Zero {@link SiTBlock}s; {@link SiTFinalLayer};
 * unpatchify; with {@code learnSigma} the output has {@code 2C} channels of which the first {@code C} are the
 * velocity (SiT's {@code x.chunk(2, dim=1)}). Time is used as given: {@code t ∈ [0, 1]}, {@code t = 0} noise,
 * {@code t = 1} data — SiT's linear path, the same convention as the rest of the engine.
 *
 * <p>Parameter names and shapes equal SiT's PyTorch state dict ({@code x_embedder.proj.weight},
 * {@code t_embedder.mlp.0.weight}, {@code y_embedder.embedding_table.weight}, {@code pos_embed},
 * {@code blocks.N.attn.qkv.weight}, {@code blocks.N.adaLN_modulation.1.weight}, {@code final_layer.linear.weight},
 * …), so released checkpoints load by name. {@code pos_embed [1, T, width]} is listed like the others (it is in
 * SiT's state dict) but never receives a gradient, so optimizers leave it alone. V-SiT adds
 * {@code z_embedder.mlp.0/2} (Linear–SiLU–Linear to the width, added to {@code c}).
 */
public final class SiT extends Module implements ClassConditionalField {
    private final SiTConfig cfg;
    private final PatchEmbed xEmbedder;
    private final TimestepEmbedder tEmbedder;
    private final LabelEmbedder yEmbedder;
    private final LatentEmbedder zEmbedder;
    private final Tensor posEmbed;
    private final SiTBlock[] blocks;
    private final SiTFinalLayer finalLayer;

    public SiT(Backend be, Rng rng, SiTConfig cfg) {
        this.cfg = cfg;
        int w = cfg.width(), grid = cfg.inputSize() / cfg.patch();
        this.xEmbedder = child("x_embedder", new PatchEmbed(be, rng, cfg.inChannels(), w, cfg.patch()));
        this.tEmbedder = child("t_embedder", new TimestepEmbedder(be, rng, w));
        this.yEmbedder = cfg.numClasses() > 0
                ? child("y_embedder", new LabelEmbedder(be, rng, cfg.numClasses(), w, cfg.classDropout())) : null;
        this.zEmbedder = cfg.latentDim() > 0 ? child("z_embedder", new LatentEmbedder(be, rng, cfg.latentDim(), w)) : null;
        this.posEmbed = param("pos_embed", Tensor.of(be, PatchEmbed.sinCos2d(w, grid), 1, grid * grid, w))
                .requiresGrad(false);
        ModuleList list = child("blocks", new ModuleList());
        this.blocks = new SiTBlock[cfg.depth()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = list.add(new SiTBlock(be, rng, w, cfg.heads(), cfg.mlpRatio()));
        }
        this.finalLayer = child("final_layer", new SiTFinalLayer(be, rng, w, cfg.patch(), cfg.outChannels()));
        // SiT initialises the patch projection like a Linear (Xavier over the flattened kernel), bias 0
        Tensor pw = xEmbedder.children().get("proj").namedParameters().get("weight");
        int fanOut = pw.dim(0), fanIn = (int) (pw.size() / fanOut);
        SiTInit.set(pw, Init.uniform(be, rng, (float) Math.sqrt(6.0 / (fanIn + fanOut)), pw.shape()));
        SiTInit.zero(xEmbedder.children().get("proj").namedParameters().get("bias"));
    }

    public SiTConfig config() {
        return cfg;
    }

    @Override
    public int latentDim() {
        return cfg.latentDim();
    }

    @Override
    public int numClasses() {
        return cfg.numClasses();
    }

    /** The unconditional field: every label is the null class (or no label embedder at all). */
    @Override
    public Tensor velocity(Tensor x, Tensor t, Tensor z) {
        Tensor labels = null;
        if (yEmbedder != null) {
            if (!yEmbedder.hasNullClass()) {
                throw new IllegalArgumentException("SiT: a class-conditional model without label dropout has no "
                        + "unconditional input; pass labels");
            }
            labels = Tensor.full(x.backend(), cfg.numClasses(), x.dim(0));
        }
        return velocity(x, t, z, labels);
    }

    @Override
    public Tensor velocity(Tensor x, Tensor t, Tensor z, Tensor labels) {
        Tensor out = forwardAll(x, t, z, labels);
        return cfg.learnSigma() ? out.slice(1, 0, cfg.inChannels()) : out;
    }

    /** The full output, {@code [N, outChannels, H, W]} ({@code 2C} channels with {@code learnSigma}). */
    public Tensor forwardAll(Tensor x, Tensor t, Tensor z, Tensor labels) {
        int n = x.dim(0);
        if (x.rank() != 4 || x.dim(1) != cfg.inChannels() || x.dim(2) != cfg.inputSize() || x.dim(3) != cfg.inputSize()) {
            throw new IllegalArgumentException("SiT: input " + x.shapeString() + " is not [N, " + cfg.inChannels() + ", "
                    + cfg.inputSize() + ", " + cfg.inputSize() + "]");
        }
        Tensor h = xEmbedder.forward(x).add(posEmbed);
        Tensor c = tEmbedder.forward(t);
        if (yEmbedder != null) {
            if (labels == null) {
                throw new IllegalArgumentException("SiT: a class-conditional model needs labels");
            }
            c = c.add(yEmbedder.forward(labels));
        }
        if (cfg.latentDim() > 0) {
            if (z == null || z.rank() != 2 || z.dim(0) != n || z.dim(1) != cfg.latentDim()) {
                throw new IllegalArgumentException("V-SiT: latent " + (z == null ? "null" : z.shapeString())
                        + " is not [" + n + ", " + cfg.latentDim() + "]");
            }
            c = c.add(zEmbedder.forward(z));
        }
        for (SiTBlock b : blocks) {
            h = b.forward(h, c);
        }
        h = finalLayer.forward(h, c);
        int grid = cfg.inputSize() / cfg.patch();
        return PatchEmbed.unpatchify(h, cfg.patch(), cfg.outChannels(), grid, grid);
    }

    /**
     * Label dropout for one training step (SiT's {@code token_drop}): each label becomes the null class with
     * probability {@link SiTConfig#classDropout()}, drawn from {@code rng}; unchanged in eval mode.
     */
    public Tensor dropLabels(Tensor labels, Rng rng) {
        if (yEmbedder == null) {
            throw new IllegalStateException("SiT: an unconditional model has no labels to drop");
        }
        return yEmbedder.dropLabels(labels, rng);
    }

    /** V-SiT's latent path: {@code mlp.0} Linear(latent, width) → SiLU → {@code mlp.2} Linear(width, width). */
    private static final class LatentEmbedder extends Module {
        private final Linear l0, l2;

        LatentEmbedder(Backend be, Rng rng, int latent, int width) {
            Slots mlp = child("mlp", new Slots());
            this.l0 = mlp.put(0, new Linear(be, rng, latent, width));
            this.l2 = mlp.put(2, new Linear(be, rng, width, width));
            SiTInit.xavier(l0, rng);
            SiTInit.xavier(l2, rng);
        }

        Tensor forward(Tensor z) {
            return l2.forward(l0.forward(z).silu());
        }
    }
}
