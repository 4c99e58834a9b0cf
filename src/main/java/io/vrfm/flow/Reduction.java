package io.vrfm.flow;

import java.util.Locale;

/**
 * How per-element squared errors (and the KL) become one scalar loss; the paper leaves it unspecified.
 *
 * <ul>
 *   <li>{@link #SUM} (default): reconstruction = mean over the batch of each sample's <em>sum</em> of squared
 *       errors over its dimensions; KL = mean over the batch of each sample's KL summed over latent dimensions.
 *       This is the negative ELBO of Eq. 5 as written ({@code ‖v_θ − (x1 − x0)‖²} is a squared norm, the KL a
 *       full-vector KL), per sample, so λ keeps the meaning it has in the paper's objective independent of the data
 *       and latent sizes' bookkeeping. For the 1-D task SUM and MEAN coincide for the reconstruction.</li>
 *   <li>{@link #MEAN}: reconstruction = mean over all elements (PyTorch's {@code F.mse_loss}); KL = mean over batch
 *       and latent dimensions. Equivalent to SUM with λ scaled by {@code dim / latentDim} and the learning rate
 *       scaled by {@code 1/dim}.</li>
 * </ul>
 */
public enum Reduction {
    SUM, MEAN;

    public static Reduction parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "sum": return SUM;
            case "mean": return MEAN;
            default: throw new IllegalArgumentException("reduction '" + s + "' is not one of sum, mean");
        }
    }
}
