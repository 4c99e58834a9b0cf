package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.nn.Module;
import io.vrfm.nn.PosteriorEncoder;
import io.vrfm.nn.PosteriorInput;
import io.vrfm.nn.SyntheticPosterior;
import io.vrfm.nn.SyntheticVelocityNet;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Rng;

import java.util.EnumSet;

/**
 * A trainable flow model as one {@link Module}: the velocity field under {@code velocity.*} and, for V-RFM, the
 * recognition model under {@code posterior.*} (saved in checkpoints, unused when sampling).
 */
public final class FlowModel extends Module {
    private final Method method;
    private final VelocityField velocity;
    private final PosteriorEncoder posterior;

    public <V extends Module & VelocityField> FlowModel(Method method, V velocity, PosteriorEncoder posterior) {
        this.method = method;
        this.velocity = child("velocity", velocity);
        if ((method == Method.VRFM) != (posterior != null)) {
            throw new IllegalArgumentException("FlowModel: " + method.key() + (posterior == null
                    ? " needs a posterior encoder" : " takes no posterior encoder"));
        }
        if (posterior != null) {
            if (!(posterior instanceof Module)) {
                throw new IllegalArgumentException("FlowModel: the posterior encoder must be a Module");
            }
            child("posterior", (Module) posterior);
            if (posterior.latentDim() != velocity.latentDim()) {
                throw new IllegalArgumentException("FlowModel: posterior latent " + posterior.latentDim()
                        + " != velocity latent " + velocity.latentDim());
            }
        }
        this.posterior = posterior;
    }

    /** The paper's synthetic-task networks (App. D.1) for {@code method}. */
    public static FlowModel synthetic(Backend be, Rng rng, Method method, int dim, int latentDim,
                                      EnumSet<PosteriorInput> inputs) {
        if (method == Method.VRFM) {
            if (latentDim <= 0) {
                throw new IllegalArgumentException("vrfm: latent dimension must be positive, got " + latentDim);
            }
            SyntheticVelocityNet v = new SyntheticVelocityNet(be, rng, dim, latentDim);
            return new FlowModel(method, v, new SyntheticPosterior(be, rng, dim, latentDim, inputs));
        }
        return new FlowModel(method, new SyntheticVelocityNet(be, rng, dim, 0), null);
    }

    public Method method() {
        return method;
    }

    public VelocityField velocity() {
        return velocity;
    }

    /** The recognition model, or null for RFM/CFM. */
    public PosteriorEncoder posterior() {
        return posterior;
    }

    public int latentDim() {
        return velocity.latentDim();
    }
}
