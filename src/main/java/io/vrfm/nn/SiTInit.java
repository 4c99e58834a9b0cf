package io.vrfm.nn;

import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/** SiT's {@code initialize_weights} rules: Xavier-uniform Linear weights, zero biases, N(0, σ²) tables. */
final class SiTInit {
    private SiTInit() {
    }

    static void xavier(Linear l, Rng rng) {
        Tensor w = l.weight();
        float bound = (float) Math.sqrt(6.0 / (w.dim(0) + w.dim(1)));
        set(w, Init.uniform(w.backend(), rng, bound, w.shape()));
        if (l.bias() != null) {
            zero(l.bias());
        }
    }

    static void normal(Tensor t, Rng rng, float std) {
        set(t, Tensor.randn(t.backend(), rng, t.shape()).mul(std));
    }

    static void zero(Tensor t) {
        t.backend().fill(t.buffer(), 0, t.size(), 0f);
    }

    static void set(Tensor t, Tensor value) {
        t.backend().copy(value.buffer(), 0, t.buffer(), 0, t.size());
    }
}
