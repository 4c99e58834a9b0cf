package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.data.ImageSet;
import io.vrfm.optim.Ema;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The image recipe over {@link FlowTrainer}: builds the {@link FlowModel} the {@link ImageRecipe} names, and trains
 * it (RFM, V-RFM, OT-FM or consistency FM) on pairs {@code x0 ~ N(0, I)}, {@code x1} drawn from the data uniformly
 * with replacement (independent coupling; OT-FM re-matches them within the batch, {@link MinibatchOtCoupling};
 * consistency FM switches to its stage 2 at half of the recipe's steps; random horizontal flips when the recipe
 * asks, {@link ImageRecipe#hflip()}), with Adam/AdamW, linear warm-up,
 * global-norm gradient clipping and an EMA of all weights
 * (used for sampling). Every step's data indices and noise derive from (seed, step), so resuming is exact.
 */
public final class ImageTrainer {
    private final Backend be;
    private final ImageSet data;
    private final ImageRecipe recipe;
    private final FlowTrainer flow;
    private final SplittableRandom probeRng;

    /** One step's numbers ({@code kl} NaN for RFM). */
    public record StepStats(double total, double recon, double kl, double gradNorm, float lr) {
    }

    /** A trainer at step 0, weights initialised from the recipe's seed. */
    public ImageTrainer(Backend be, ImageSet data, ImageRecipe recipe) {
        this.be = be;
        this.data = data;
        this.recipe = recipe;
        if (data.height() != data.width()) {
            throw new IllegalArgumentException("image training needs square images, got " + data.height() + "×" + data.width());
        }
        FlowModel model = ImageModels.build(be, FlowTrainer.initStream(recipe.seed()), recipe, data.channels(),
                data.height(), data.classCount());
        this.probeRng = new SplittableRandom(recipe.seed() * 31 + 7);
        float wd = recipe.optimizer().equals("adam") ? 0f : recipe.weightDecay();
        FlowTrainer.Builder b = FlowTrainer.builder(model)
                .pairs(recipe.classCond() ? labelledPairs(data, recipe.cfgDropout(), recipe.hflip())
                        : pairs(data, recipe.hflip()))
                .batch(recipe.batch())
                .seed(recipe.seed())
                .lambda(recipe.lambda())
                .reduction(recipe.reduction())
                .consistency(FlowLosses.ConsistencyConfig.paper(), recipe.steps() / 2)
                .adamW(recipe.lr(), wd)
                .warmup(recipe.warmup())
                .ema(recipe.emaDecay());
        if (recipe.gradClip() > 0) {
            b.clipGradNorm(recipe.gradClip());
        }
        this.flow = b.build();
    }

    /** Salt of the flip stream: each step's flips come from {@code SplittableRandom(stepSeed ^ FLIP_SALT)}. */
    static final long FLIP_SALT = 0x9E3779B97F4A7C15L;

    /** {@code x1}: images of {@code data} at indices drawn from {@code rng}; {@code x0 ~ N(0, I)} from the same stream. */
    public static PairSource pairs(ImageSet data) {
        return pairs(data, false);
    }

    /**
     * As {@link #pairs(ImageSet)}; with {@code hflip} each image is mirrored left-right with probability 1/2
     * (torchcfm's {@code RandomHorizontalFlip}), the flips drawn from their own stream derived from the step's seed, so
     * the indices and noise are those of the unflipped source and resuming stays exact.
     */
    public static PairSource pairs(ImageSet data, boolean hflip) {
        return (be, rng, n) -> {
            long seed = rng.seed();
            int[] idx = data.randomIndices(n, new SplittableRandom(seed));
            Tensor x1 = batch(be, data, idx, hflip, seed);
            return new PairSource.Pairs(Tensor.randn(be, rng, x1.shape()), x1);
        };
    }

    /** As {@link #labelledPairs(ImageSet, float, boolean)} without flips. */
    public static PairSource labelledPairs(ImageSet data, float labelDropout) {
        return labelledPairs(data, labelDropout, false);
    }

    /**
     * As {@link #pairs(ImageSet, boolean)}, with each row's class label; a label becomes the null class
     * ({@code data.classCount()}) with probability {@code labelDropout} (classifier-free guidance training), drawn
     * from the step's {@code rng} so that resuming stays exact.
     */
    public static PairSource labelledPairs(ImageSet data, float labelDropout, boolean hflip) {
        return (be, rng, n) -> {
            long seed = rng.seed();
            int[] idx = data.randomIndices(n, new SplittableRandom(seed));
            Tensor x1 = batch(be, data, idx, hflip, seed);
            SplittableRandom drop = new SplittableRandom(seed ^ 0x5DEECE66DL);
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = drop.nextDouble() < labelDropout ? data.classCount() : data.label(idx[i]);
            }
            return new PairSource.Pairs(Tensor.randn(be, rng, x1.shape()), x1, Tensor.of(be, y, n));
        };
    }

    private static Tensor batch(Backend be, ImageSet data, int[] idx, boolean hflip, long stepSeed) {
        float[] px = new float[idx.length * data.imageSize()];
        if (hflip) {
            data.copyBatch(idx, px, 0, stepSeed ^ FLIP_SALT);
        } else {
            data.copyBatch(idx, px, 0);
        }
        return Tensor.of(be, px, idx.length, data.channels(), data.height(), data.width());
    }

    /** {@code {channels, height, width}} of the training images. */
    public int[] imageShape() {
        return new int[]{data.channels(), data.height(), data.width()};
    }

    /** Classes of the training data set. */
    public int classCount() {
        return data.classCount();
    }

    /** The general trainer underneath. */
    public FlowTrainer flowTrainer() {
        return flow;
    }

    public FlowModel model() {
        return flow.model();
    }

    public Ema ema() {
        return flow.ema();
    }

    public int step() {
        return flow.stepCount();
    }

    public ImageRecipe recipe() {
        return recipe;
    }

    /** A data batch {@code [n, C, H, W]} in [-1, 1] (its own stream, independent of training). */
    public Tensor dataBatch(int n) {
        int[] idx = data.randomIndices(n, probeRng);
        float[] px = new float[n * data.imageSize()];
        data.copyBatch(idx, px, 0);
        return Tensor.of(be, px, n, data.channels(), data.height(), data.width());
    }

    /** One optimisation step. */
    public StepStats trainStep() {
        FlowTrainer.StepStats s = flow.step();
        return new StepStats(s.total(), s.recon(), s.kl(), recipe.gradClip() > 0 ? s.gradNorm() : Double.NaN, s.lr());
    }

    /** Runs {@code body} with the EMA weights swapped in (and the model in eval mode), then swaps back. */
    public <T> T withEma(java.util.function.Supplier<T> body) {
        return flow.withEma(body);
    }

    /** Writes a checkpoint with the recipe in its metadata. */
    public void save(Path path, Map<String, String> meta) throws IOException {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(meta);
        m.put("recipe", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(recipe.toMap()));
        flow.save(path, m);
    }

    /** Loads model, EMA and optimizer state; training continues from the stored step exactly. */
    public void resume(Path path) throws IOException {
        flow.resume(path);
    }
}
