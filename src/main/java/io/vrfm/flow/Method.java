package io.vrfm.flow;

import java.util.Locale;

/** The training objectives: rectified flow, variational rectified flow, consistency flow matching. */
public enum Method {
    /** Rectified flow matching (MSE to {@code x1 − x0}); metrics key {@code rfm}. */
    RFM,
    /** Variational rectified flow matching (reconstruction + λ·KL); metrics key {@code vrfm}. */
    VRFM,
    /** Consistency flow matching (Yang et al. 2024), the paper's extra baseline; metrics key {@code cfm}. */
    CFM;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "rfm": return RFM;
            case "vrfm": case "v-rfm": return VRFM;
            case "cfm": return CFM;
            default:
                throw new IllegalArgumentException("method '" + s + "' is not one of rfm, vrfm, cfm");
        }
    }
}
