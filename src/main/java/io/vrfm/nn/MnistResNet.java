package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * The MNIST velocity network of paper App. D.2.
 * <ul>
 *   <li>time: sinusoidal encoding of {@code timeScale·t} → Linear → SiLU → Linear ({@code time_embed.0/.2});</li>
 *   <li>data encoder: 3×3 conv in-projection ({@code enc_in}), {@code blocks} ResNet blocks ({@code enc_blocks}),
 *   3×3 conv out-projection ({@code enc_out});</li>
 *   <li>V-RFM only: each latent coordinate gets a sinusoidal encoding (16 frequencies, periods up to 100, so that
 *   {@code z ~ N(0, 1)} is resolved smoothly), concatenated → Linear → SiLU → Linear ({@code latent_embed.0/.2});</li>
 *   <li>how the embeddings enter: the time (and latent) embedding vectors are tiled over H×W and concatenated on
 *   channels with the encoder's feature map; the decoder's 3×3 in-projection ({@code dec_in}) takes
 *   {@code width + embDim (+ embDim)} channels — this is the only place conditioning enters, as the paper
 *   describes ("the time and data embeddings are concatenated and passed to a decoder");</li>
 *   <li>decoder: {@code dec_in}, {@code blocks} ResNet blocks ({@code dec_blocks}), GroupNorm + SiLU
 *   ({@code dec_norm}) and a 1×1 conv to the image channels ({@code dec_out}).</li>
 * </ul>
 */
public final class MnistResNet extends Module implements VelocityField {
    private static final int LATENT_FREQS = 16;
    private final MnistResNetConfig cfg;
    private final SinusoidalEmbedding timeFeatures, latentFeatures;
    private final Linear time0, time2, latent0, latent2;
    private final Conv2d encIn, encOut, decIn, decOut;
    private final ResNetBlock[] encBlocks, decBlocks;
    private final GroupNorm decNorm;

    public MnistResNet(Backend be, Rng rng, MnistResNetConfig cfg) {
        this.cfg = cfg;
        int w = cfg.width(), e = cfg.embDim();
        this.timeFeatures = new SinusoidalEmbedding(be, e, 10000f, cfg.timeScale());
        Slots te = child("time_embed", new Slots());
        this.time0 = te.put(0, new Linear(be, rng, e, e));
        this.time2 = te.put(2, new Linear(be, rng, e, e));
        if (cfg.latentDim() > 0) {
            this.latentFeatures = new SinusoidalEmbedding(be, 2 * LATENT_FREQS, 100f, 1f);
            Slots le = child("latent_embed", new Slots());
            this.latent0 = le.put(0, new Linear(be, rng, cfg.latentDim() * 2 * LATENT_FREQS, e));
            this.latent2 = le.put(2, new Linear(be, rng, e, e));
        } else {
            this.latentFeatures = null;
            this.latent0 = null;
            this.latent2 = null;
        }
        this.encIn = child("enc_in", new Conv2d(be, rng, cfg.channels(), w, 3, 1, 1));
        ModuleList enc = child("enc_blocks", new ModuleList());
        this.encBlocks = new ResNetBlock[cfg.blocks()];
        for (int i = 0; i < encBlocks.length; i++) {
            encBlocks[i] = enc.add(new ResNetBlock(be, rng, w));
        }
        this.encOut = child("enc_out", new Conv2d(be, rng, w, w, 3, 1, 1));
        int decInCh = w + e + (cfg.latentDim() > 0 ? e : 0);
        this.decIn = child("dec_in", new Conv2d(be, rng, decInCh, w, 3, 1, 1));
        ModuleList dec = child("dec_blocks", new ModuleList());
        this.decBlocks = new ResNetBlock[cfg.blocks()];
        for (int i = 0; i < decBlocks.length; i++) {
            decBlocks[i] = dec.add(new ResNetBlock(be, rng, w));
        }
        this.decNorm = child("dec_norm", new GroupNorm(be, Norms.groupsFor(w), w));
        this.decOut = child("dec_out", new Conv2d(be, rng, w, cfg.channels(), 1, 1, 0));
    }

    public MnistResNetConfig config() {
        return cfg;
    }

    @Override
    public int latentDim() {
        return cfg.latentDim();
    }

    /** Encodes each latent coordinate sinusoidally: {@code z [N, d] → [N, d·32]}. */
    private Tensor latentEncoding(Tensor z) {
        int n = z.dim(0), d = z.dim(1);
        Tensor flat = latentFeatures.forward(z.reshape(n * d));   // [N·d, 32]
        return flat.reshape(n, d * 2 * LATENT_FREQS);
    }

    @Override
    public Tensor velocity(Tensor x, Tensor t, Tensor z) {
        int n = x.dim(0), h = x.dim(2), w = x.dim(3);
        Tensor temb = time2.forward(time0.forward(timeFeatures.forward(t.reshape(n))).silu());
        Tensor feat = encIn.forward(x);
        for (ResNetBlock b : encBlocks) {
            feat = b.forward(feat);
        }
        feat = encOut.forward(feat);
        int e = cfg.embDim();
        Tensor cond = temb.reshape(n, e, 1, 1).expand(n, e, h, w);
        Tensor joined;
        if (cfg.latentDim() > 0) {
            if (z == null || z.dim(0) != n || z.dim(1) != cfg.latentDim()) {
                throw new IllegalArgumentException("MnistResNet: latent z " + (z == null ? "null" : z.shapeString())
                        + " is not [" + n + ", " + cfg.latentDim() + "]");
            }
            Tensor zemb = latent2.forward(latent0.forward(latentEncoding(z)).silu());
            joined = Tensor.concat(1, feat, cond, zemb.reshape(n, e, 1, 1).expand(n, e, h, w));
        } else {
            joined = Tensor.concat(1, feat, cond);
        }
        Tensor y = decIn.forward(joined);
        for (ResNetBlock b : decBlocks) {
            y = b.forward(y);
        }
        return decOut.forward(decNorm.forward(y).silu());
    }
}
