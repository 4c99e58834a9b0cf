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
 *   (bottleneck sum), posterior base width 16.</li>
 *   <li>{@link #mnistQuick}: the reduced MNIST configuration that {@code reproduce-image mnist --quick} trains on two
 *   CPU cores (see there for the numbers and why).</li>
 * </ul>
 * Every preset takes any {@link Method}: RFM, V-RFM, OT-FM (the RFM networks on minibatch-OT pairs) and
 * consistency FM (the RFM networks, {@link FlowLosses.ConsistencyConfig#paper()}, stage 2 from half of
 * {@code steps}, so a consistency run's {@code steps} cannot grow on resume).
 * Not given by the paper, chosen here: loss reduction {@link LossReduction#MEAN_RECON_SUM_KL} (reconstruction as
 * PyTorch's {@code F.mse_loss}, torchcfm's recipe; KL summed over the latent dimensions; recipes saved with only
 * {@code reduction} keep that one for both terms), the MNIST warm-up/EMA/clipping (none in App. D.2; we use warm-up
 * 1k, clip 1.0, EMA 0.9999 at full size, which do not hurt), and data augmentation (none).
 */
public record ImageRecipe(String model, String dataset, Method method, int steps, int batch, String optimizer,
                          float lr, float weightDecay, int warmup, float gradClip, float emaDecay, float lambda,
                          int latentDim, EnumSet<PosteriorInput> posteriorInputs, LatentFusion fusion, int width,
                          int blocks, float dropout, int posteriorWidth, LossReduction reduction, int checkpointEvery,
                          int sampleEvery, long seed) {

    public ImageRecipe {
        if (!model.equals("unet") && !model.equals("mnist-resnet")) {
            throw new IllegalArgumentException("--model must be unet or mnist-resnet, got '" + model + "'");
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
    }

    private static final EnumSet<PosteriorInput> X0_X1_XT = EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT);

    public static ImageRecipe mnistPaper(Method m) {
        return new ImageRecipe("mnist-resnet", "mnist", m, 100_000, 256, "adamw", 1e-3f, 0.01f, 1000, 1.0f, 0.9999f,
                1e-3f, m == Method.VRFM ? 2 : 0, X0_X1_XT, LatentFusion.NONE, 64, 5, 0f, 64, LossReduction.MEAN_RECON_SUM_KL, 10_000,
                5_000, 0);
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
                250, 0);
    }

    /** torchcfm's CIFAR-10 recipe; V-RFM adaptive norm takes {x1}, bottleneck sum {x1, t} (the paper's best rows). */
    public static ImageRecipe cifarPaper(Method m, LatentFusion fusion) {
        EnumSet<PosteriorInput> in = fusion == LatentFusion.BOTTLENECK_SUM
                ? EnumSet.of(PosteriorInput.X1, PosteriorInput.T) : EnumSet.of(PosteriorInput.X1);
        return new ImageRecipe("unet", "cifar10", m, 600_000, 128, "adam", 2e-4f, 0f, 5000, 1.0f, 0.9999f, 2e-3f,
                m == Method.VRFM ? 768 : 0, in, m == Method.VRFM ? fusion : LatentFusion.NONE, 128, 2, 0.1f, 16,
                LossReduction.MEAN_RECON_SUM_KL, 20_000, 20_000, 0);
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
        m.put("fusion", fusion.name().toLowerCase().replace('_', '-'));
        m.put("width", width);
        m.put("blocks", blocks);
        m.put("dropout", dropout);
        m.put("posterior_width", posteriorWidth);
        m.put("reduction", reduction.recon().name().toLowerCase(java.util.Locale.ROOT));
        m.put("kl_reduction", reduction.kl().name().toLowerCase(java.util.Locale.ROOT));
        m.put("checkpoint_every", checkpointEvery);
        m.put("sample_every", sampleEvery);
        m.put("seed", seed);
        return m;
    }

    public static ImageRecipe fromMap(Map<String, Object> m) {
        return new ImageRecipe(str(m, "model"), str(m, "dataset"), Method.parse(str(m, "method")), num(m, "steps").intValue(),
                num(m, "batch").intValue(), str(m, "optimizer"), num(m, "lr").floatValue(),
                num(m, "weight_decay").floatValue(), num(m, "warmup").intValue(), num(m, "grad_clip").floatValue(),
                num(m, "ema_decay").floatValue(), num(m, "lambda").floatValue(), num(m, "latent_dim").intValue(),
                PosteriorInput.parse(str(m, "posterior_inputs")), LatentFusion.parse(str(m, "fusion")),
                num(m, "width").intValue(), num(m, "blocks").intValue(), num(m, "dropout").floatValue(),
                num(m, "posterior_width").intValue(), reductionOf(m),
                num(m, "checkpoint_every").intValue(), num(m, "sample_every").intValue(), num(m, "seed").longValue());
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
