package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.io.Checkpoint;
import io.vrfm.nn.ClassConditionalField;
import io.vrfm.nn.Module;
import io.vrfm.nn.PosteriorEncoder;
import io.vrfm.nn.VelocityField;
import io.vrfm.optim.AdamW;
import io.vrfm.optim.Ema;
import io.vrfm.optim.GradClip;
import io.vrfm.optim.WarmupSchedule;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import io.vrfm.tensor.TensorScope;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Trains any velocity field (and, for V-RFM, its posterior encoder) on pairs from a {@link PairSource}.
 *
 * <pre>{@code
 * FlowTrainer trainer = FlowTrainer.vrfm(velocity, posterior, 0.1f)
 *         .pairs(PairSource.independent(2, source::sample, target::sample))
 *         .batch(256).adamW(1e-3f, 0.01f).seed(0)
 *         .build();
 * trainer.fit(2000, (s, itPerSec) -> System.out.println(s));
 * }</pre>
 *
 * <p>Each {@link #step()}: draw {@code (x0, x1)} from the pair source (for OT-FM re-matched by the exact minibatch
 * assignment, {@link MinibatchOtCoupling}), {@code t ~ U(0,1)}, the method's loss
 * ({@link FlowLosses}), backpropagate, optionally clip the global gradient norm, take an AdamW step with an optional
 * linear warm-up, update the optional EMA. Every step's randomness (pairs, {@code t}, the posterior's {@code ε},
 * dropout masks) comes from streams derived from (seed, step) alone, so a run resumed from a checkpoint
 * ({@link #resume}) ends with bit-identical weights to one that never stopped.
 *
 * <p>A non-finite loss or gradient stops training with a {@link NonFiniteLossException} before the optimizer applies
 * it; {@link #save} refuses non-finite weights. Temporaries of each step are released at its end
 * ({@link TensorScope}).
 */
public final class FlowTrainer {
    /**
     * One step's numbers on the host.
     *
     * @param step     the number of steps done after this one (1-based)
     * @param total    the loss minimised
     * @param recon    its reconstruction (squared-error) part
     * @param kl       the KL part (V-RFM), NaN otherwise
     * @param gradNorm global L2 norm of the gradients before clipping
     * @param lr       learning rate used
     */
    public record StepStats(int step, double total, double recon, double kl, double gradNorm, float lr) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "step %d: loss %.5g (recon %.5g%s), grad norm %.4g, lr %.3g", step,
                    total, recon, Double.isNaN(kl) ? "" : String.format(Locale.ROOT, ", kl %.5g", kl), gradNorm, lr);
        }
    }

    /** Sees every step of {@link #fit}: its numbers and the speed since {@code fit} began. */
    @FunctionalInterface
    public interface Listener {
        void onStep(StepStats stats, double itersPerSecond);
    }

    private static final int DROPOUT_STRIDE_BITS = 40;

    private final FlowModel model;
    private final PairSource pairs;
    private final Backend be;
    private final int batch;
    private long seed, dataSeed, noiseSeed;
    private final float lambda;
    private final LossReduction reduction;
    private final FlowLosses.ConsistencyConfig consistency;
    private final int consistencyStage2At;
    private final AdamW optimizer;
    private final WarmupSchedule schedule;
    private final float maxGradNorm;
    private final Ema ema;
    private final int checkpointEvery;
    private final Path checkpoint;
    private final List<Rng> dropoutStreams;
    private int step;

    private FlowTrainer(Builder b) {
        this.model = b.model;
        this.pairs = Objects.requireNonNull(b.pairs, "FlowTrainer: set the pair source with .pairs(...)");
        this.be = backendOf(model);
        this.batch = b.batch;
        useSeed(b.seed);
        this.lambda = b.lambda;
        this.reduction = b.reduction;
        this.consistency = b.consistency;
        this.consistencyStage2At = b.consistencyStage2At;
        this.optimizer = b.optimizer.apply(model.namedParameters());
        this.schedule = new WarmupSchedule(optimizer.lr(), b.warmup);
        this.maxGradNorm = b.maxGradNorm;
        this.ema = Float.isNaN(b.emaDecay) ? null : new Ema(model.namedParameters(), b.emaDecay);
        this.checkpointEvery = b.checkpointEvery;
        this.checkpoint = b.checkpoint;
        this.dropoutStreams = model.randomStreams();
    }

    private void useSeed(long s) {
        Rng[] r = streams(s);
        this.seed = s;
        this.dataSeed = r[1].seed();
        this.noiseSeed = r[2].seed();
    }

    /** {@code {init, data, noise}} streams of a seed; {@link #initStream} is the first. */
    private static Rng[] streams(long seed) {
        Rng root = new Rng(seed);
        return new Rng[]{root.fork(), root.fork(), root.fork()};
    }

    /**
     * The stream to initialise a model's weights from for a run with {@code seed}: independent of the streams the
     * trainer uses for data and noise with the same seed.
     */
    public static Rng initStream(long seed) {
        return streams(seed)[0];
    }

    private static Backend backendOf(Module m) {
        for (Tensor p : m.parameters()) {
            return p.backend();
        }
        throw new IllegalArgumentException("FlowTrainer: the model has no parameters");
    }

    // ------------------------------------------------------------------ building

    /** Rectified flow: {@code ‖v(x_t, t) − (x1 − x0)‖²}. */
    public static <V extends Module & VelocityField> Builder rfm(V velocity) {
        return new Builder(new FlowModel(Method.RFM, velocity, null));
    }

    /** Variational rectified flow with KL weight {@code lambda}; {@code posterior} must be a {@link Module}. */
    public static <V extends Module & VelocityField> Builder vrfm(V velocity, PosteriorEncoder posterior, float lambda) {
        return new Builder(new FlowModel(Method.VRFM, velocity, posterior)).lambda(lambda);
    }

    /**
     * OT-FM: the rectified-flow loss on pairs re-matched within each batch by the exact optimal transport assignment
     * ({@link MinibatchOtCoupling}), applied by the trainer to whatever the pair source gives.
     */
    public static <V extends Module & VelocityField> Builder otfm(V velocity) {
        return new Builder(new FlowModel(Method.OTFM, velocity, null));
    }

    /**
     * Consistency flow matching with the paper's settings ({@link FlowLosses.ConsistencyConfig#paper()}); stage 2
     * starts at half of {@code totalSteps}, as the reference code.
     */
    public static <V extends Module & VelocityField> Builder consistency(V velocity, int totalSteps) {
        return new Builder(new FlowModel(Method.CFM, velocity, null))
                .consistency(FlowLosses.ConsistencyConfig.paper(), totalSteps / 2);
    }

    /** A trainer for an assembled {@link FlowModel} (its method decides the loss). */
    public static Builder builder(FlowModel model) {
        return new Builder(model);
    }

    /** The options of a {@link FlowTrainer}; every setter returns the builder. */
    public static final class Builder {
        private final FlowModel model;
        private PairSource pairs;
        private int batch = 256;
        private long seed;
        private float lambda = 1f;
        private LossReduction reduction = LossReduction.SUM;
        private FlowLosses.ConsistencyConfig consistency = FlowLosses.ConsistencyConfig.paper();
        private int consistencyStage2At = Integer.MAX_VALUE;
        private Function<Map<String, Tensor>, AdamW> optimizer = p -> AdamW.withDefaults(p, 1e-3f);
        private int warmup;
        private float maxGradNorm;
        private float emaDecay = Float.NaN;
        private int checkpointEvery;
        private Path checkpoint;

        private Builder(FlowModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** Where pairs come from (required). */
        public Builder pairs(PairSource source) {
            this.pairs = source;
            return this;
        }

        /** Pairs per step (default 256). */
        public Builder batch(int n) {
            if (n < 1) throw new IllegalArgumentException("batch must be >= 1, got " + n);
            this.batch = n;
            return this;
        }

        /** Seed of the data and noise streams (default 0); see {@link #initStream} for the weights. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** V-RFM's KL weight λ (default 1). */
        public Builder lambda(float l) {
            if (!(l >= 0)) throw new IllegalArgumentException("lambda must be >= 0, got " + l);
            this.lambda = l;
            return this;
        }

        /** One reduction for the squared errors and the KL alike (default SUM for both). */
        public Builder reduction(Reduction r) {
            this.reduction = LossReduction.both(Objects.requireNonNull(r));
            return this;
        }

        /** The reductions of the reconstruction (every method's squared error) and of V-RFM's KL, each its own. */
        public Builder reduction(LossReduction r) {
            this.reduction = Objects.requireNonNull(r);
            return this;
        }

        /** Consistency FM settings and the step from which its stage 2 applies. */
        public Builder consistency(FlowLosses.ConsistencyConfig cfg, int stage2AtStep) {
            this.consistency = Objects.requireNonNull(cfg);
            this.consistencyStage2At = stage2AtStep;
            return this;
        }

        /** AdamW over all parameters (PyTorch's betas and eps); default lr 1e-3, weight decay 0.01. */
        public Builder adamW(float lr, float weightDecay) {
            if (!(lr > 0)) throw new IllegalArgumentException("lr must be positive, got " + lr);
            this.optimizer = p -> new AdamW(p, lr, 0.9f, 0.999f, 1e-8f, weightDecay);
            return this;
        }

        /** Any AdamW configuration, built over the model's named parameters. */
        public Builder optimizer(Function<Map<String, Tensor>, AdamW> factory) {
            this.optimizer = Objects.requireNonNull(factory);
            return this;
        }

        /** Linear learning-rate warm-up over the first {@code steps} steps (default 0: none). */
        public Builder warmup(int steps) {
            this.warmup = steps;
            return this;
        }

        /** Clips the global gradient norm to {@code maxNorm} (default 0: no clipping). */
        public Builder clipGradNorm(float maxNorm) {
            this.maxGradNorm = maxNorm;
            return this;
        }

        /** Keeps an exponential moving average of the weights with this decay (default: none). */
        public Builder ema(float decay) {
            this.emaDecay = decay;
            return this;
        }

        /** {@link #fit} writes {@code path} every {@code n} steps and at its end. */
        public Builder checkpointEvery(int n, Path path) {
            this.checkpointEvery = n;
            this.checkpoint = path;
            return this;
        }

        /** The trainer, at step 0. */
        public FlowTrainer build() {
            return new FlowTrainer(this);
        }
    }

    // ------------------------------------------------------------------ accessors

    /** The model trained (velocity field and, for V-RFM, posterior). */
    public FlowModel model() {
        return model;
    }

    /** The optimizer. */
    public AdamW optimizer() {
        return optimizer;
    }

    /** The weight average, or null when none was asked for. */
    public Ema ema() {
        return ema;
    }

    /** Steps done so far. */
    public int stepCount() {
        return step;
    }

    /** The seed of the data and noise streams. */
    public long seed() {
        return seed;
    }

    /**
     * Continues from step {@code s} (after loading weights and optimizer state some other way); {@link #resume}
     * does both.
     */
    public void setStepCount(int s) {
        if (s < 0) throw new IllegalArgumentException("step must be >= 0, got " + s);
        this.step = s;
    }

    // ------------------------------------------------------------------ training

    private static long mix(long seed, long step) {
        long z = seed + 0x9E3779B97F4A7C15L * (step + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * One optimisation step.
     *
     * @throws NonFiniteLossException when the loss or a gradient is NaN or infinite (the weights stay as they were)
     */
    public StepStats step() {
        try (TensorScope ignored = TensorScope.open()) {
            return stepInScope();
        }
    }

    private StepStats stepInScope() {
        int next = step + 1;
        float lr = schedule.lr(next);
        optimizer.setLr(lr);
        model.train(true);
        for (Rng r : dropoutStreams) {
            r.seek((long) step << DROPOUT_STRIDE_BITS);
        }
        Rng dataRng = new Rng(mix(dataSeed, step)), noiseRng = new Rng(mix(noiseSeed, step));
        PairSource.Pairs p = pairs.pairs(be, dataRng, batch);
        if (model.method() == Method.OTFM) {
            p = MinibatchOtCoupling.couple(p);
        }
        Interpolant.Batch b = Interpolant.sample(noiseRng, p.x0(), p.x1());
        VelocityField v = model.velocity();
        if (p.label() != null && v instanceof ClassConditionalField c) {
            v = c.withLabels(p.label()); // labelled pairs reach a class-conditional field
        }
        FlowLosses.Loss loss;
        switch (model.method()) {
            case RFM:
            case OTFM:
                loss = FlowLosses.rfm(v, b, reduction.recon());
                break;
            case VRFM:
                loss = FlowLosses.vrfm(v, model.posterior(), b, lambda, reduction, noiseRng);
                break;
            default:
                float boundary = step < consistencyStage2At ? 0f : consistency.stage2Boundary();
                loss = FlowLosses.consistency(v, b, consistency, boundary, reduction.recon());
                break;
        }
        double total = loss.total().item();
        double recon = loss.recon().item();
        double kl = loss.kl() == null ? Double.NaN : loss.kl().item();
        if (!Double.isFinite(total)) {
            throw nonFinite(next, "the loss is " + total + " (recon " + recon + (Double.isNaN(kl) ? "" : ", kl " + kl)
                    + ")", lr);
        }
        optimizer.zeroGrad();
        loss.total().backward();
        double norm = maxGradNorm > 0 ? GradClip.clipGradNorm(model.parameters(), maxGradNorm) : gradNorm();
        if (!Double.isFinite(norm)) {
            throw nonFinite(next, "the gradient norm is " + norm + " (loss " + total + ")", lr);
        }
        optimizer.step();
        if (ema != null) {
            ema.update();
        }
        optimizer.zeroGrad(); // the gradients belong to this step's scope
        step = next;
        return new StepStats(next, total, recon, kl, norm, lr);
    }

    private NonFiniteLossException nonFinite(int at, String what, float lr) {
        optimizer.zeroGrad();
        return new NonFiniteLossException(at, String.format(Locale.ROOT, "training stopped at step %d: %s. The weights"
                + " are those after step %d; nothing non-finite was saved. Lower the learning rate (now %.3g), add"
                + " gradient clipping or a warm-up, or check the data for NaN/Inf.", at, what, at - 1, lr));
    }

    /** Global L2 norm of all gradients, one host synchronisation. */
    private double gradNorm() {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor acc = null;
            for (Tensor p : model.parameters()) {
                if (p.grad() != null) {
                    Tensor s = p.grad().square().sum();
                    acc = acc == null ? s : acc.add(s);
                }
            }
            return acc == null ? 0 : Math.sqrt(acc.item());
        }
    }

    /**
     * Trains until {@link #stepCount()} reaches {@code totalSteps}, calling {@code listener} (may be null) after every
     * step; with {@link Builder#checkpointEvery} set, saves every N steps and at the end.
     */
    public void fit(int totalSteps, Listener listener) throws IOException {
        long t0 = System.nanoTime();
        int start = step;
        while (step < totalSteps) {
            StepStats s = step();
            if (listener != null) {
                double secs = (System.nanoTime() - t0) / 1e9;
                listener.onStep(s, secs > 0 ? (step - start) / secs : Double.NaN);
            }
            if (checkpoint != null && checkpointEvery > 0 && step % checkpointEvery == 0 && step < totalSteps) {
                save(checkpoint);
            }
        }
        if (checkpoint != null) {
            save(checkpoint);
        }
    }

    // ------------------------------------------------------------------ checkpoints

    /** Writes model, EMA, optimizer state and step to {@code path} (atomically). */
    public void save(Path path) throws IOException {
        save(path, Map.of());
    }

    /**
     * As {@link #save(Path)}, with extra metadata strings.
     *
     * @throws IllegalStateException when a weight is not finite (the file is not written)
     */
    public void save(Path path, Map<String, String> meta) throws IOException {
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            for (float v : e.getValue().toArray()) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException("checkpoint " + path + " not written: parameter " + e.getKey()
                            + " holds " + v + " at step " + step);
                }
            }
        }
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("method", model.method().key());
        m.put("seed", Long.toString(seed));
        Checkpoint.save(path, model, optimizer, ema, step, m);
    }

    /**
     * Loads model, EMA and optimizer state, the step and the seed of the data/noise streams from {@code path}:
     * training continues exactly as the run that wrote it would have.
     */
    public void resume(Path path) throws IOException {
        int at = Checkpoint.load(path, model, optimizer, ema);
        String s = Checkpoint.metadata(path).get("seed");
        if (s != null) {
            useSeed(Long.parseLong(s));
        }
        this.step = at;
    }

    /** Runs {@code body} with the EMA weights swapped in (model in eval mode, no gradients), then swaps back. */
    public <T> T withEma(java.util.function.Supplier<T> body) {
        if (ema == null) {
            throw new IllegalStateException("withEma: this trainer keeps no EMA (set .ema(decay))");
        }
        ema.swap();
        model.eval();
        try (GradMode.Scope g = GradMode.noGrad()) {
            return body.get();
        } finally {
            ema.swap();
            model.train(true);
        }
    }
}
