package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * Where a {@link FlowTrainer} gets its training pairs: {@code n} rows of {@code x0} (source) and {@code x1} (data),
 * optionally with a label per row. It must draw all its randomness from the {@code rng} it is given: the trainer
 * derives that stream from (seed, step), which is what makes resuming from a checkpoint exact. Tensors it creates in
 * a call belong to that training step and are released after it (each step runs in a
 * {@link io.vrfm.tensor.TensorScope}): keep long-lived data (a data set uploaded once) in tensors created outside
 * the trainer's steps, or mark them with {@link io.vrfm.tensor.TensorScope#persist}.
 */
@FunctionalInterface
public interface PairSource {
    /**
     * One batch of pairs.
     *
     * @param x0    source points {@code [n, ...]}
     * @param x1    data points, shaped like {@code x0}
     * @param label a label per row {@code [n]}, or null (carried for conditional models; the built-in losses
     *              do not use it)
     */
    record Pairs(Tensor x0, Tensor x1, Tensor label) {
        /** Unlabelled pairs. */
        public Pairs(Tensor x0, Tensor x1) {
            this(x0, x1, null);
        }
    }

    /** Draws {@code n} pairs on {@code be}, all randomness from {@code rng}. */
    Pairs pairs(Backend be, Rng rng, int n);

    /**
     * The independent coupling of two host samplers of {@code [n, dim]} rows (the paper's synthetic tasks): {@code x0}
     * then {@code x1}, both from {@code rng}. Pass method references such as {@code task.source()::sample}.
     */
    static PairSource independent(int dim, Coupling.Sampler source, Coupling.Sampler target) {
        return Coupling.independent(dim, source, target);
    }
}
