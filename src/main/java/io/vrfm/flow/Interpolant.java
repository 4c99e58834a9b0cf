package io.vrfm.flow;

import io.vrfm.tensor.FlowOps;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** The rectified-flow interpolant: {@code t ~ U(0,1)} per sample, {@code x_t = (1−t)·x0 + t·x1}, target {@code x1 − x0}. */
public final class Interpolant {
    private Interpolant() {
    }

    /** One training batch of the interpolant. */
    public record Batch(Tensor x0, Tensor x1, Tensor t, Tensor xt, Tensor target) {
    }

    /** Draws {@code t ~ U(0,1)} per sample from {@code rng} and interpolates (one fused kernel). */
    public static Batch sample(Rng rng, Tensor x0, Tensor x1) {
        Tensor t = Tensor.rand(x0.backend(), rng, x0.dim(0));
        return at(x0, x1, t);
    }

    /** Interpolates at given times {@code t [N]}. */
    public static Batch at(Tensor x0, Tensor x1, Tensor t) {
        Tensor[] r = FlowOps.interpolate(x0, x1, t);
        return new Batch(x0, x1, t, r[0], r[1]);
    }
}
