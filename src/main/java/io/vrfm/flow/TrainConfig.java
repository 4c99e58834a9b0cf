package io.vrfm.flow;

import io.vrfm.nn.PosteriorInput;

import java.util.EnumSet;

/**
 * Hyperparameters of one training run. {@link #paper1d} and {@link #paper2d} hold the paper's settings (App. D.1):
 * AdamW (PyTorch defaults, weight decay 0.01) lr 1e-3, batch 1000, 20k iterations, λ = 1.0 / 0.1, latent 4 / 8,
 * posterior on {@code x0, x1, x_t}, reconstruction and KL both summed per sample ({@link LossReduction#SUM}).
 */
public record TrainConfig(Method method, int iters, int batch, float lr, float weightDecay, float lambda,
                          int latentDim, EnumSet<PosteriorInput> posteriorInputs, LossReduction reduction,
                          FlowLosses.ConsistencyConfig consistency, long seed) {

    public TrainConfig {
        TrainingChecks.nonNegative("--iters", iters);
        TrainingChecks.atLeastOne("--batch", batch);
        TrainingChecks.learningRate(lr);
        TrainingChecks.nonNegative("--lambda", lambda);
        java.util.Objects.requireNonNull(reduction, "reduction");
        posteriorInputs = EnumSet.copyOf(posteriorInputs);
    }

    public static TrainConfig paper1d(Method method, long seed) {
        return new TrainConfig(method, 20000, 1000, 1e-3f, 0.01f, 1.0f, 4,
                EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT), LossReduction.SUM,
                FlowLosses.ConsistencyConfig.paper(), seed);
    }

    public static TrainConfig paper2d(Method method, long seed) {
        return new TrainConfig(method, 20000, 1000, 1e-3f, 0.01f, 0.1f, 8,
                EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT), LossReduction.SUM,
                FlowLosses.ConsistencyConfig.paper(), seed);
    }

    public TrainConfig withMethod(Method m) {
        return new TrainConfig(m, iters, batch, lr, weightDecay, lambda, latentDim, posteriorInputs, reduction, consistency, seed);
    }

    public TrainConfig withIters(int n) {
        return new TrainConfig(method, n, batch, lr, weightDecay, lambda, latentDim, posteriorInputs, reduction, consistency, seed);
    }

    public TrainConfig withBatch(int b) {
        return new TrainConfig(method, iters, b, lr, weightDecay, lambda, latentDim, posteriorInputs, reduction, consistency, seed);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(method, iters, batch, lr, weightDecay, lambda, latentDim, posteriorInputs, reduction, consistency, s);
    }

    public TrainConfig withLambda(float l) {
        return new TrainConfig(method, iters, batch, lr, weightDecay, l, latentDim, posteriorInputs, reduction, consistency, seed);
    }

    public TrainConfig withLr(float l) {
        return new TrainConfig(method, iters, batch, l, weightDecay, lambda, latentDim, posteriorInputs, reduction, consistency, seed);
    }

    public TrainConfig withLatentDim(int d) {
        return new TrainConfig(method, iters, batch, lr, weightDecay, lambda, d, posteriorInputs, reduction, consistency, seed);
    }

    public TrainConfig withPosteriorInputs(EnumSet<PosteriorInput> in) {
        return new TrainConfig(method, iters, batch, lr, weightDecay, lambda, latentDim, in, reduction, consistency, seed);
    }

    /** One reduction for the reconstruction and the KL alike ({@link LossReduction#both}). */
    public TrainConfig withReduction(Reduction r) {
        return withReduction(LossReduction.both(r));
    }

    public TrainConfig withReduction(LossReduction r) {
        return new TrainConfig(method, iters, batch, lr, weightDecay, lambda, latentDim, posteriorInputs, r, consistency, seed);
    }
}
