package io.vrfm.nn;

import java.util.EnumSet;
import java.util.Locale;

/** What the V-RFM recognition model {@code q_φ(z | ·)} sees: a subset of {x0, x1, x_t, t} (paper App. C.2). */
public enum PosteriorInput {
    X0, X1, XT, T;

    /** Parses a comma list such as {@code x0,x1,xt} or {@code x1,t}. */
    public static EnumSet<PosteriorInput> parse(String list) {
        EnumSet<PosteriorInput> out = EnumSet.noneOf(PosteriorInput.class);
        for (String part : list.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            switch (p) {
                case "x0": out.add(X0); break;
                case "x1": out.add(X1); break;
                case "xt": case "x_t": out.add(XT); break;
                case "t": out.add(T); break;
                default:
                    throw new IllegalArgumentException("posterior input '" + part.trim()
                            + "' is not one of x0, x1, xt, t (e.g. --posterior-inputs x0,x1,xt)");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("posterior inputs: choose at least one of x0, x1, xt, t");
        }
        return out;
    }

    public static String format(EnumSet<PosteriorInput> set) {
        StringBuilder sb = new StringBuilder();
        for (PosteriorInput p : set) {
            if (sb.length() > 0) sb.append(',');
            sb.append(p.name().toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }
}
