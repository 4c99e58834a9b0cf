package io.vrfm.flow;

import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Tensor;

/** A right-hand side {@code dx/dt = f(x, t)} with one time for the whole batch. */
@FunctionalInterface
public interface Ode {
    Tensor f(Tensor x, float t);

    /** The velocity field at a fixed latent {@code z} (null for RFM), time broadcast to every sample. */
    static Ode of(VelocityField field, Tensor z) {
        return (x, t) -> field.velocity(x, Tensor.full(x.backend(), t, x.dim(0)), z);
    }
}
