package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Rng;

/**
 * The paper's synthetic-task recipe (App. D.1) over {@link FlowTrainer}: builds {@link FlowModel#synthetic} from
 * the config's seed ({@link FlowTrainer#initStream}), AdamW with the config's lr and decay, batches of pairs from
 * the {@link Coupling} (the paper: independent {@code x0 ~ p0}, {@code x1 ~ p1}), no warm-up, clipping or EMA.
 * Every step draws from streams derived from (seed, step), so resuming from a checkpoint is exact.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final FlowTrainer flow;

    /** Per-step losses as host numbers ({@code kl} NaN when the method has none). */
    public record StepStats(double total, double recon, double kl) {
    }

    /** A trainer at step 0 for {@code cfg} on {@code coupling}, with weights initialised from {@code cfg.seed()}. */
    public Trainer(Backend be, Coupling coupling, TrainConfig cfg) {
        this.cfg = cfg;
        Rng initRng = FlowTrainer.initStream(cfg.seed());
        FlowModel model = FlowModel.synthetic(be, initRng, cfg.method(), coupling.dim(), cfg.latentDim(),
                cfg.posteriorInputs());
        this.flow = FlowTrainer.builder(model)
                .pairs(coupling)
                .batch(cfg.batch())
                .seed(cfg.seed())
                .lambda(cfg.lambda())
                .reduction(cfg.reduction())
                .consistency(cfg.consistency(), cfg.iters() / 2)
                .adamW(cfg.lr(), cfg.weightDecay())
                .build();
    }

    /** The general trainer underneath (checkpoints, fit with a listener). */
    public FlowTrainer flowTrainer() {
        return flow;
    }

    public FlowModel model() {
        return flow.model();
    }

    public AdamW optimizer() {
        return flow.optimizer();
    }

    public TrainConfig config() {
        return cfg;
    }

    public int step() {
        return flow.stepCount();
    }

    /** After loading a checkpoint: continue from step {@code s} (the batches are those an uninterrupted run sees). */
    public void setStep(int s) {
        flow.setStepCount(s);
    }

    /** One optimisation step; returns its losses. */
    public StepStats trainStep() {
        FlowTrainer.StepStats s = flow.step();
        return new StepStats(s.total(), s.recon(), s.kl());
    }
}
