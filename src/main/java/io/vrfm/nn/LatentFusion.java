package io.vrfm.nn;

import java.util.Locale;

/**
 * How a UNet velocity field takes the V-RFM latent {@code z} (paper §4.4, App. D.3).
 * <ul>
 *   <li>{@link #NONE}: a plain rectified-flow UNet ({@code latentDim = 0}).</li>
 *   <li>{@link #ADAPTIVE_NORM}: {@code z → Linear → SiLU → Linear} (hidden 512, output = the time-embedding width,
 *   512 at full size) is added to the time embedding, which every residual block turns into its GroupNorm
 *   modulation (a per-channel shift, or scale and shift with {@code useScaleShiftNorm}).</li>
 *   <li>{@link #BOTTLENECK_SUM}: the same MLP, but its output width is the bottleneck's channel count (the
 *   second layer maps hidden → C so no extra projection is needed), tiled over the bottleneck's H×W and mixed as
 *   {@code 0.9·z + 0.1·features} into the input of the middle block.</li>
 * </ul>
 */
public enum LatentFusion {
    NONE, ADAPTIVE_NORM, BOTTLENECK_SUM;

    public static LatentFusion parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "none": return NONE;
            case "adaptive-norm": case "adanorm": case "adaptive": return ADAPTIVE_NORM;
            case "bottleneck-sum": case "bottleneck": return BOTTLENECK_SUM;
            default:
                throw new IllegalArgumentException("latent fusion '" + s + "' is not one of none, adaptive-norm, bottleneck-sum");
        }
    }
}
