package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * Trains one {@link FlowModel} (the paper's synthetic-task networks): each step draws a fresh batch of pairs from the
 * {@link Coupling} (the paper: independent {@code x0 ~ p0}, {@code x1 ~ p1}), {@code t ~ U(0,1)}, evaluates the method's loss, backpropagates and takes an AdamW step.
 * Random streams are forked from the seed: model init, data, time/latent noise are independent and reproducible.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final Coupling coupling;
    private final Backend be;
    private final FlowModel model;
    private final AdamW optimizer;
    private final long dataSeed, noiseSeed;
    private int step;

    /** Per-step losses as host numbers ({@code kl} NaN when the method has none). */
    public record StepStats(double total, double recon, double kl) {
    }

    public Trainer(Backend be, Coupling coupling, TrainConfig cfg) {
        this.cfg = cfg;
        this.coupling = coupling;
        this.be = be;
        Rng root = new Rng(cfg.seed());
        Rng initRng = root.fork();
        this.dataSeed = root.fork().seed();
        this.noiseSeed = root.fork().seed();
        this.model = FlowModel.synthetic(be, initRng, cfg.method(), coupling.dim(), cfg.latentDim(), cfg.posteriorInputs());
        this.optimizer = new AdamW(model.namedParameters(), cfg.lr(), 0.9f, 0.999f, 1e-8f, cfg.weightDecay());
    }

    public FlowModel model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public TrainConfig config() {
        return cfg;
    }

    public int step() {
        return step;
    }

    /**
     * After loading a checkpoint: continue from step {@code s}. Every step draws from its own stream derived from
     * (seed, step), so a resumed run sees exactly the batches an uninterrupted one would have.
     */
    public void setStep(int s) {
        this.step = s;
    }

    private static long mix(long seed, long step) {
        long z = seed + 0x9E3779B97F4A7C15L * (step + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One optimisation step; returns its losses. */
    public StepStats trainStep() {
        int b = cfg.batch();
        Rng dataRng = new Rng(mix(dataSeed, step)), noiseRng = new Rng(mix(noiseSeed, step));
        Tensor[] pair = coupling.sample(be, dataRng, b);
        Tensor x0 = pair[0], x1 = pair[1];
        Interpolant.Batch batch = Interpolant.sample(noiseRng, x0, x1);
        FlowLosses.Loss loss;
        switch (cfg.method()) {
            case RFM: loss = FlowLosses.rfm(model.velocity(), batch, cfg.reduction()); break;
            case VRFM: loss = FlowLosses.vrfm(model.velocity(), model.posterior(), batch, cfg.lambda(), cfg.reduction(), noiseRng); break;
            default:
                float boundary = step < cfg.iters() / 2 ? 0f : cfg.consistency().stage2Boundary();
                loss = FlowLosses.consistency(model.velocity(), batch, cfg.consistency(), boundary, cfg.reduction());
                break;
        }
        optimizer.zeroGrad();
        loss.total().backward();
        optimizer.step();
        step++;
        return new StepStats(loss.total().item(), loss.recon().item(), loss.kl() == null ? Double.NaN : loss.kl().item());
    }
}
