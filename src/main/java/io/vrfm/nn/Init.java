package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** Parameter initialisers (PyTorch's defaults, so freshly built models match its scale). */
public final class Init {
    private Init() {
    }

    /** Uniform in {@code [−bound, bound]}. */
    public static Tensor uniform(Backend be, Rng rng, float bound, int... shape) {
        return Tensor.rand(be, rng, shape).affine(2f * bound, -bound);
    }

    /** PyTorch's default for Linear/Conv weights and biases: {@code U(−1/√fanIn, 1/√fanIn)}. */
    public static Tensor fanIn(Backend be, Rng rng, int fanIn, int... shape) {
        return uniform(be, rng, (float) (1.0 / Math.sqrt(fanIn)), shape);
    }
}
