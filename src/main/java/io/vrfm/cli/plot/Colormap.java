package io.vrfm.cli.plot;

import java.awt.Color;

/** The viridis colour map (dark purple → yellow), linearly interpolated between 9 control points. */
public final class Colormap {
    /** Colour drawn for missing values (NaN), a neutral grey. */
    public static final Color MISSING = new Color(170, 170, 170);

    private static final int[][] VIRIDIS = {
            {68, 1, 84}, {71, 44, 122}, {59, 81, 139}, {44, 113, 142}, {33, 144, 141},
            {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};

    private Colormap() {
    }

    /** Viridis at {@code u} in [0, 1] (clamped); NaN gives {@link #MISSING}. */
    public static Color viridis(double u) {
        if (Double.isNaN(u)) {
            return MISSING;
        }
        double s = Math.max(0, Math.min(1, u)) * (VIRIDIS.length - 1);
        int i = Math.min((int) Math.floor(s), VIRIDIS.length - 2);
        double f = s - i;
        int[] a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Color(mix(a[0], b[0], f), mix(a[1], b[1], f), mix(a[2], b[2], f));
    }

    /** Viridis of {@code value} scaled from [lo, hi]; NaN gives {@link #MISSING}. */
    public static Color viridis(double value, double lo, double hi) {
        return viridis(hi > lo ? (value - lo) / (hi - lo) : 0.5);
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
