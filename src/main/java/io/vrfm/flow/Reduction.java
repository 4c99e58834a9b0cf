package io.vrfm.flow;

import java.util.Locale;

/**
 * How one loss term becomes a scalar; the paper leaves it unspecified. V-RFM's reconstruction and KL each take one
 * ({@link LossReduction}, where the effective KL weight of every combination is worked out).
 *
 * <ul>
 *   <li>{@link #SUM}: per-sample sum over the term's dimensions (data dimensions for a squared error, latent
 *       dimensions for the KL), mean over the batch. For the 1-D task SUM and MEAN coincide for the
 *       reconstruction.</li>
 *   <li>{@link #MEAN}: mean over the batch and the dimensions (PyTorch's {@code F.mse_loss} for a squared error);
 *       SUM divided by the number of dimensions.</li>
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
