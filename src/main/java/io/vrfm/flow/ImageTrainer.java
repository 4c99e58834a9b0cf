package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.data.ImageSet;
import io.vrfm.io.Checkpoint;
import io.vrfm.optim.AdamW;
import io.vrfm.optim.Ema;
import io.vrfm.optim.GradClip;
import io.vrfm.optim.WarmupSchedule;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains an image {@link FlowModel} (RFM or V-RFM): each step draws {@code x1} from the data (uniform with
 * replacement), {@code x0 ~ N(0, I)} (independent coupling), {@code t ~ U(0,1)}; loss from {@link FlowLosses};
 * Adam/AdamW with linear warm-up, global-norm gradient clipping and an EMA of all weights (used for sampling).
 */
public final class ImageTrainer {
    private final Backend be;
    private final ImageSet data;
    private final ImageRecipe recipe;
    private final FlowModel model;
    private final AdamW optimizer;
    private final Ema ema;
    private final WarmupSchedule schedule;
    private final SplittableRandom dataRng;
    private final Rng noiseRng;
    private int step;

    public record StepStats(double total, double recon, double kl, double gradNorm, float lr) {
    }

    public ImageTrainer(Backend be, ImageSet data, ImageRecipe recipe) {
        this.be = be;
        this.data = data;
        this.recipe = recipe;
        if (data.height() != data.width()) {
            throw new IllegalArgumentException("image training needs square images, got " + data.height() + "×" + data.width());
        }
        Rng root = new Rng(recipe.seed());
        this.model = ImageModels.build(be, root.fork(), recipe, data.channels(), data.height());
        this.noiseRng = root.fork();
        this.dataRng = new SplittableRandom(recipe.seed() * 31 + 7);
        float wd = recipe.optimizer().equals("adam") ? 0f : recipe.weightDecay();
        this.optimizer = new AdamW(model.namedParameters(), recipe.lr(), 0.9f, 0.999f, 1e-8f, wd);
        this.ema = new Ema(model.namedParameters(), recipe.emaDecay());
        this.schedule = new WarmupSchedule(recipe.lr(), recipe.warmup());
    }

    public FlowModel model() {
        return model;
    }

    public Ema ema() {
        return ema;
    }

    public int step() {
        return step;
    }

    public ImageRecipe recipe() {
        return recipe;
    }

    /** A data batch {@code [n, C, H, W]} in [-1, 1]. */
    public Tensor dataBatch(int n) {
        int[] idx = data.randomIndices(n, dataRng);
        float[] px = new float[n * data.imageSize()];
        data.copyBatch(idx, px, 0);
        return Tensor.of(be, px, n, data.channels(), data.height(), data.width());
    }

    public StepStats trainStep() {
        int n = recipe.batch();
        float lr = schedule.lr(step);
        optimizer.setLr(lr);
        model.train(true);
        Tensor x1 = dataBatch(n);
        Tensor x0 = Tensor.randn(be, noiseRng, x1.shape());
        Interpolant.Batch b = Interpolant.sample(noiseRng, x0, x1);
        FlowLosses.Loss loss = recipe.method() == Method.VRFM
                ? FlowLosses.vrfm(model.velocity(), model.posterior(), b, recipe.lambda(), recipe.reduction(), noiseRng)
                : FlowLosses.rfm(model.velocity(), b, recipe.reduction());
        optimizer.zeroGrad();
        loss.total().backward();
        double norm = recipe.gradClip() > 0 ? GradClip.clipGradNorm(model.parameters(), recipe.gradClip()) : Double.NaN;
        optimizer.step();
        ema.update();
        step++;
        return new StepStats(loss.total().item(), loss.recon().item(), loss.kl() == null ? Double.NaN : loss.kl().item(),
                norm, lr);
    }

    /** Runs {@code body} with the EMA weights swapped in (and the model in eval mode), then swaps back. */
    public <T> T withEma(java.util.function.Supplier<T> body) {
        ema.swap();
        model.eval();
        try (GradMode.Scope g = GradMode.noGrad()) {
            return body.get();
        } finally {
            ema.swap();
            model.train(true);
        }
    }

    public void save(Path path, Map<String, String> meta) throws IOException {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(meta);
        m.put("recipe", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(recipe.toMap()));
        Checkpoint.save(path, model, optimizer, ema, step, m);
    }

    /** Loads model, EMA and optimizer state; training continues from the stored step (data streams restart). */
    public void resume(Path path) throws IOException {
        this.step = Checkpoint.load(path, model, optimizer, ema);
    }
}
