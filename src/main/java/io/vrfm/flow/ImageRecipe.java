package io.vrfm.flow;

import io.vrfm.nn.LatentFusion;
import io.vrfm.nn.PosteriorInput;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that defines one image training run. Presets:
 * <ul>
 *   <li>{@link #mnistPaper}: paper App. D.2 — MNIST ResNet velocity net (width 64, 5 + 5 blocks), AdamW 1e-3,
 *   batch 256, 100k steps, λ = 1e-3, 2-D latent from {x0, x1, x_t}.</li>
 *   <li>{@link #cifarPaper}: paper App. D.3 / torchcfm — UNet 128 ch, Adam 2e-4, warm-up 5k, gradient clip 1.0,
 *   EMA 0.9999, batch 128, 600k steps, λ = 2e-3, 768-d latent from {x1} (adaptive norm) or {x1, t}
 *   (bottleneck sum), random horizontal flips; posterior: "a similar encoder structure" to the velocity UNet
 *   without the decoder, downsampled to 1×1, base width 16 — so, as the velocity UNet's encoder, 2 ResBlocks per
 *   level and self-attention at 16×16 ({@link #posteriorBlocks}, {@link #posteriorAttention}). The paper does not
 *   give the posterior's channel multipliers (here 1, 2, 2, 4, 4, 8), its attention heads (here 4, of 64 channels
 *   where the width allows), nor whether it keeps the UNet's middle block (here not).</li>
 *   <li>{@link #mnistQuick}: the reduced MNIST configuration that {@code reproduce-image mnist --quick} trains on two
 *   CPU cores (see there for the numbers and why).</li>
 *   <li>{@link #mnistMedium}: torchcfm's MNIST UNet (width 32), 1,000 steps of 32, for
 *   {@code reproduce-image mnist --medium} (about 85 minutes on two cores).</li>
 * </ul>
 * Every preset takes any {@link Method}: RFM, V-RFM, OT-FM (the RFM networks on minibatch-OT pairs) and
 * consistency FM (the RFM networks, {@link FlowLosses.ConsistencyConfig#paper()}, stage 2 from half of
 * {@code steps}, so a consistency run's {@code steps} cannot grow on resume).
 * Not given by the paper, chosen here: loss reduction {@link LossReduction#MEAN_RECON_SUM_KL} (reconstruction as
 * PyTorch's {@code F.mse_loss}, torchcfm's recipe; KL summed over the latent dimensions; recipes saved with only
 * {@code reduction} keep that one for both terms), and the MNIST warm-up/EMA/clipping (none in App. D.2; we use warm-up
 * 1k, clip 1.0, EMA 0.9999 at full size, which do not hurt). Data augmentation: {@link #hflip()} random horizontal
 * flips, on in the CIFAR-10 recipe (torchcfm's {@code RandomHorizontalFlip}), off elsewhere (digits are not
 * mirror-symmetric); a recipe saved without {@code hflip} reads as off, as it trained.
 */
public record ImageRecipe(String model, String dataset, Method method, int steps, int batch, String optimizer,
                          float lr, float weightDecay, int warmup, float gradClip, float emaDecay, float lambda,
                          int latentDim, EnumSet<PosteriorInput> posteriorInputs, LatentFusion fusion, int width,
                          int blocks, float dropout, int posteriorWidth, LossReduction reduction, int checkpointEvery,
                          int sampleEvery, long seed, String sitConfig, boolean classCond, float cfgDropout,
                          boolean hflip, int posteriorBlocks, String posteriorAttention) {

    /** The posterior inputs of V-SiT ({@link io.vrfm.nn.SiTPosterior} reads {@code x1} and {@code t}). */
    public static final EnumSet<PosteriorInput> SIT_POSTERIOR_INPUTS = EnumSet.of(PosteriorInput.X1, PosteriorInput.T);

    public ImageRecipe {
        if (!model.equals("unet") && !model.equals("mnist-resnet") && !model.equals("sit")) {
            throw new IllegalArgumentException("--model must be unet, mnist-resnet, sit or vsit, got '" + model + "'");
        }
        sitConfig = sitConfig == null ? "" : sitConfig;
        if (model.equals("sit")) {
            ImageModels.sitShape(sitConfig); // checks the spelling
            if (method == Method.VRFM && !posteriorInputs.equals(SIT_POSTERIOR_INPUTS)) {
                throw new IllegalArgumentException("V-SiT's posterior reads x1,t; drop --posterior-inputs");
            }
        } else if (classCond) {
            throw new IllegalArgumentException("--class-cond needs --model sit or vsit");
        }
        TrainingChecks.fraction("--cfg-dropout", cfgDropout);
        if (cfgDropout > 0 && !classCond) {
            throw new IllegalArgumentException("--cfg-dropout needs --class-cond");
        }
        TrainingChecks.nonNegative("--steps", steps);
        TrainingChecks.atLeastOne("--batch", batch);
        TrainingChecks.optimizer(optimizer);
        TrainingChecks.learningRate(lr);
        TrainingChecks.nonNegative("weight decay", weightDecay);
        TrainingChecks.nonNegative("--warmup", warmup);
        TrainingChecks.nonNegative("--grad-clip", gradClip);
        TrainingChecks.unitInterval("--ema", emaDecay);
        TrainingChecks.nonNegative("--lambda", lambda);
        TrainingChecks.atLeastOne("--width", width);
        TrainingChecks.atLeastOne("--blocks", blocks);
        TrainingChecks.fraction("--dropout", dropout);
        TrainingChecks.nonNegative("--checkpoint-every", checkpointEvery);
        TrainingChecks.nonNegative("--sample-every", sampleEvery);
        if (method == Method.VRFM && latentDim < 1) {
            throw new IllegalArgumentException("vrfm needs --latent-dim >= 1");
        }
        if (method == Method.VRFM) {
            TrainingChecks.atLeastOne("--posterior-width", posteriorWidth);
        }
        posteriorInputs = EnumSet.copyOf(posteriorInputs);
        posteriorAttention = canonicalSizes(posteriorAttention);
        TrainingChecks.atLeastOne("--posterior-blocks", posteriorBlocks);
        if (!model.equals("unet")) {
            // only the UNet posterior has these knobs; the others keep their fixed (paper) structure
            posteriorBlocks = 1;
            posteriorAttention = "";
        }
    }

    /**
     * The spatial sizes at which the UNet posterior attends, from {@code "16"}, {@code "16,8"}, {@code ""} or
     * {@code "none"}; canonical form: ascending, comma-separated, {@code ""} for none.
     */
    static String canonicalSizes(String text) {
        if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("none")) return "";
        java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
        for (String part : text.split(",")) {
            try {
                int v = Integer.parseInt(part.trim());
                if (v < 1) throw new NumberFormatException();
                sizes.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--posterior-attention '" + text + "' is not a list of spatial sizes"
                        + " such as 16 or 16,8 (or none)");
            }
        }
        StringBuilder b = new StringBuilder();
        for (int v : sizes) b.append(b.length() == 0 ? "" : ",").append(v);
        return b.toString();
    }

    /** {@link #posteriorAttention()} as numbers (empty for none). */
    public int[] posteriorAttentionSizes() {
        return posteriorAttention.isEmpty() ? new int[0]
                : java.util.Arrays.stream(posteriorAttention.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static final EnumSet<PosteriorInput> X0_X1_XT = EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT);

    public static ImageRecipe mnistPaper(Method m) {
        return new ImageRecipe("mnist-resnet", "mnist", m, 100_000, 256, "adamw", 1e-3f, 0.01f, 1000, 1.0f, 0.9999f,
                1e-3f, m == Method.VRFM ? 2 : 0, X0_X1_XT, LatentFusion.NONE, 64, 5, 0f, 64, LossReduction.MEAN_RECON_SUM_KL, 10_000,
                5_000, 0, "", false, 0f, false, 1, "");
    }

    /**
     * Two-core quick run: the same networks, shrunk — velocity width 16 with 2 + 2 ResNet blocks (1 + 1 reached only
     * a 15-pixel receptive field and scored classifier-FID ≈ 83 instead of ≈ 60 at the same budget), posterior width 8,
     * batch 48, 500 AdamW steps at lr 2e-3 (warm-up 50, clip 1.0), EMA 0.99 (0.9999 would still be at the random
     * initialisation after 500 steps), λ = 1e-3, 2-D latent from {x0, x1, x_t}.
     */
    public static ImageRecipe mnistQuick(Method m) {
        return new ImageRecipe("mnist-resnet", "mnist", m, 500, 48, "adamw", 2e-3f, 0.01f, 50, 1.0f, 0.99f,
                1e-3f, m == Method.VRFM ? 2 : 0, X0_X1_XT, LatentFusion.NONE, 16, 2, 0f, 8, LossReduction.MEAN_RECON_SUM_KL, 250,
                250, 0, "", false, 0f, false, 1, "");
    }

    /**
     * Two-core medium run (about 85 minutes on two idle cores for RFM + V-RFM with evaluation): torchcfm's MNIST UNet
     * ({@code [1, 2, 2]}, attention at 14×14, 1 res block per level, width 32 — the configuration of torchcfm's MNIST
     * examples) instead of the paper's full-resolution ResNet, whose receptive field grows only 2 px per conv: at
     * two-core budgets that net drew strokes without a digit's global shape (3,000 steps at 2 + 2 blocks; 5 + 5
     * blocks looked the same at 1,000 steps), while the UNet's 7×7 level sees the whole digit. 1,000 AdamW steps of
     * 32 at lr 1e-3 (warm-up 50, clip 1.0), EMA 0.995 (0.999 would still carry 37 % of the random initialisation at
     * step 1,000). V-RFM: 2-D latent from {x0, x1, x_t} by adaptive norm, posterior UNet encoder width 16 with one
     * block per level and no attention, λ = 1e-3.
     */
    public static ImageRecipe mnistMedium(Method m) {
        return new ImageRecipe("unet", "mnist", m, 1000, 32, "adamw", 1e-3f, 0.01f, 50, 1.0f, 0.995f,
                1e-3f, m == Method.VRFM ? 2 : 0, X0_X1_XT, m == Method.VRFM ? LatentFusion.ADAPTIVE_NORM : LatentFusion.NONE,
                32, 1, 0f, 16, LossReduction.MEAN_RECON_SUM_KL, 250, 250, 0, "", false, 0f, false, 1, "");
    }

    /** torchcfm's CIFAR-10 recipe; V-RFM adaptive norm takes {x1}, bottleneck sum {x1, t} (the paper's best rows). */
    public static ImageRecipe cifarPaper(Method m, LatentFusion fusion) {
        EnumSet<PosteriorInput> in = fusion == LatentFusion.BOTTLENECK_SUM
                ? EnumSet.of(PosteriorInput.X1, PosteriorInput.T) : EnumSet.of(PosteriorInput.X1);
        return new ImageRecipe("unet", "cifar10", m, 600_000, 128, "adam", 2e-4f, 0f, 5000, 1.0f, 0.9999f, 2e-3f,
                m == Method.VRFM ? 768 : 0, in, m == Method.VRFM ? fusion : LatentFusion.NONE, 128, 2, 0.1f, 16,
                LossReduction.MEAN_RECON_SUM_KL, 20_000, 20_000, 0, "", false, 0f, true, 2, "16");
    }

    /**
     * SiT's training recipe (Ma et al. 2024) on a (Fashion-)MNIST-sized data set: SiT-S/2 (28×28 needs no padding:
     * 28 is divisible by the patch sizes 2 and 4), AdamW lr 1e-4 without weight decay, batch 256, no warm-up or
     * clipping, EMA 0.9999, class-conditional with label dropout 0.1; V-SiT with λ = 2e-3 (paper §4.5) and a
     * {@link io.vrfm.nn.SiTConfig#DEFAULT_LATENT}-d latent from {x1, t}. Steps (100k) chosen here.
     */
    public static ImageRecipe sitPaper(Method m, String dataset) {
        return new ImageRecipe("sit", dataset, m, 100_000, 256, "adamw", 1e-4f, 0f, 0, 0f, 0.9999f, 2e-3f,
                m == Method.VRFM ? io.vrfm.nn.SiTConfig.DEFAULT_LATENT : 0, SIT_POSTERIOR_INPUTS, LatentFusion.NONE,
                384, 12, 0f, 384, LossReduction.MEAN_RECON_SUM_KL, 10_000, 5_000, 0, "S/2", true, 0.1f, false, 1, "");
    }

    /**
     * The two-core SiT configuration of {@code reproduce-image sit-fashion --quick}: a custom 4-block, width-64,
     * 4-head SiT with patch 4 (49 tokens on 28×28), batch 32, 600 AdamW steps at lr 1e-3 (warm-up 50, clip 1.0),
     * EMA 0.99, class-conditional with label dropout 0.1; V-SiT with λ = 2e-3 and a 16-d latent.
     */
    public static ImageRecipe sitQuick(Method m, String dataset) {
        return new ImageRecipe("sit", dataset, m, 600, 32, "adamw", 1e-3f, 0f, 50, 1.0f, 0.99f, 2e-3f,
                m == Method.VRFM ? 16 : 0, SIT_POSTERIOR_INPUTS, LatentFusion.NONE, 64, 4, 0f, 64, LossReduction.MEAN_RECON_SUM_KL,
                300, 0, 0, "4x64x4/4", true, 0.1f, false, 1, "");
    }

    public ImageRecipe with(Map<String, Object> changes) {
        Map<String, Object> m = toMap();
        m.putAll(changes);
        return fromMap(m);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("dataset", dataset);
        m.put("method", method.key());
        m.put("steps", steps);
        m.put("batch", batch);
        m.put("optimizer", optimizer);
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("warmup", warmup);
        m.put("grad_clip", gradClip);
        m.put("ema_decay", emaDecay);
        m.put("lambda", lambda);
        m.put("latent_dim", latentDim);
        m.put("posterior_inputs", PosteriorInput.format(posteriorInputs));
        m.put("fusion", fusion.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        m.put("width", width);
        m.put("blocks", blocks);
        m.put("dropout", dropout);
        m.put("posterior_width", posteriorWidth);
        m.put("reduction", reduction.recon().name().toLowerCase(java.util.Locale.ROOT));
        m.put("kl_reduction", reduction.kl().name().toLowerCase(java.util.Locale.ROOT));
        m.put("checkpoint_every", checkpointEvery);
        m.put("sample_every", sampleEvery);
        m.put("seed", seed);
        if (model.equals("sit")) {
            m.put("sit_config", sitConfig);
        }
        m.put("class_cond", classCond);
        m.put("cfg_dropout", cfgDropout);
        m.put("hflip", hflip);
        if (model.equals("unet")) {
            m.put("posterior_blocks", posteriorBlocks);
            m.put("posterior_attention", posteriorAttention);
        }
        return m;
    }

    /**
     * A recipe from its map (recipe.json). Fields added after the first release read, when absent, as what the
     * code built before them: no flips, a UNet posterior of one ResBlock per level without attention.
     */
    public static ImageRecipe fromMap(Map<String, Object> m) {
        return new ImageRecipe(str(m, "model"), str(m, "dataset"), Method.parse(str(m, "method")), num(m, "steps").intValue(),
                num(m, "batch").intValue(), str(m, "optimizer"), num(m, "lr").floatValue(),
                num(m, "weight_decay").floatValue(), num(m, "warmup").intValue(), num(m, "grad_clip").floatValue(),
                num(m, "ema_decay").floatValue(), num(m, "lambda").floatValue(), num(m, "latent_dim").intValue(),
                PosteriorInput.parse(str(m, "posterior_inputs")), LatentFusion.parse(str(m, "fusion")),
                num(m, "width").intValue(), num(m, "blocks").intValue(), num(m, "dropout").floatValue(),
                num(m, "posterior_width").intValue(), reductionOf(m),
                num(m, "checkpoint_every").intValue(), num(m, "sample_every").intValue(), num(m, "seed").longValue(),
                m.containsKey("sit_config") ? str(m, "sit_config") : "",
                m.containsKey("class_cond") && Boolean.parseBoolean(str(m, "class_cond")),
                m.containsKey("cfg_dropout") ? num(m, "cfg_dropout").floatValue() : 0f,
                m.containsKey("hflip") && Boolean.parseBoolean(str(m, "hflip")),
                m.containsKey("posterior_blocks") ? num(m, "posterior_blocks").intValue() : 1,
                m.containsKey("posterior_attention") ? str(m, "posterior_attention") : "");
    }

    /**
     * {@code reduction} (the reconstruction's) and {@code kl_reduction}; a recipe written before the two were
     * separate has only {@code reduction}, which then applies to both terms as it did.
     */
    private static LossReduction reductionOf(Map<String, Object> m) {
        Reduction recon = Reduction.parse(str(m, "reduction"));
        Object kl = m.get("kl_reduction");
        return new LossReduction(recon, kl == null ? recon : Reduction.parse(kl.toString()));
    }

    private static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) throw new IllegalArgumentException("recipe: missing '" + k + "'");
        return v.toString();
    }

    private static Number num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v instanceof Number n) return n;
        if (v == null) throw new IllegalArgumentException("recipe: missing '" + k + "'");
        return Double.parseDouble(v.toString());
    }
}
