package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

/**
 * A velocity network {@code v_θ(x_t, t[, z])}. Rectified flow ignores {@code z} ({@link #latentDim()} is 0);
 * variational rectified flow conditions on a latent {@code z [N, latentDim]}.
 */
public interface VelocityField {
    /**
     * @param x the state {@code [N, ...]}
     * @param t time per sample {@code [N]}
     * @param z latent {@code [N, latentDim]}, or null when {@link #latentDim()} is 0
     * @return the velocity, shaped like {@code x}
     */
    Tensor velocity(Tensor x, Tensor t, Tensor z);

    /** 0 for a plain (uni-modal) rectified-flow field. */
    int latentDim();
}
