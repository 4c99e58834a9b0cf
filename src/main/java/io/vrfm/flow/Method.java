package io.vrfm.flow;

import java.util.Locale;

/**
 * The training objectives: rectified flow, variational rectified flow, consistency flow matching, and rectified flow
 * on minibatch optimal-transport pairs.
 */
public enum Method {
    /** Rectified flow matching (MSE to {@code x1 − x0}); metrics key {@code rfm}. */
    RFM,
    /** Variational rectified flow matching (reconstruction + λ·KL); metrics key {@code vrfm}. */
    VRFM,
    /** Consistency flow matching (Yang et al. 2024), the paper's extra baseline; metrics key {@code cfm}. */
    CFM,
    /**
     * OT-FM (Tong et al. 2024, torchcfm's exact minibatch OT): the rectified-flow loss on pairs re-matched within each
     * batch by the exact optimal assignment ({@link MinibatchOtCoupling}); metrics key {@code otfm}.
     */
    OTFM;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "rfm": return RFM;
            case "vrfm": case "v-rfm": return VRFM;
            case "cfm": return CFM;
            case "otfm": case "ot-fm": case "ot-cfm": return OTFM;
            default:
                throw new IllegalArgumentException("method '" + s + "' is not one of rfm, vrfm, cfm, otfm");
        }
    }
}
