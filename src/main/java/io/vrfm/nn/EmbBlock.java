package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/** A layer that takes the per-sample conditioning embedding beside its input (torchcfm's TimestepBlock). */
public interface EmbBlock {
    /**
     * @param x   features {@code [N, C, H, W]}
     * @param emb conditioning {@code [N, E]}, or null for layers that ignore it
     */
    Tensor forward(Tensor x, Tensor emb);
}
