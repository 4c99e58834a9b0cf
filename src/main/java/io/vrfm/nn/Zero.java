package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/** torchcfm's {@code zero_module}: sets a freshly built module's parameters to zero (last convs of residual paths). */
public final class Zero {
    private Zero() {
    }

    public static <M extends Module> M init(M m) {
        for (Tensor t : m.parameters()) {
            t.backend().fill(t.buffer(), 0, t.size(), 0f);
        }
        return m;
    }
}
