package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

import java.util.EnumSet;

/** The V-RFM recognition model {@code q_φ(z | x0, x1, x_t, t) = N(μ, diag σ²)}, used only while training. */
public interface PosteriorEncoder {
    /**
     * Encodes a batch; arguments not in {@link #inputs()} may be null.
     *
     * @return {@code {mu, logvar}}, each {@code [N, latentDim]}
     */
    Tensor[] encode(Tensor x0, Tensor x1, Tensor xt, Tensor t);

    int latentDim();

    EnumSet<PosteriorInput> inputs();
}
