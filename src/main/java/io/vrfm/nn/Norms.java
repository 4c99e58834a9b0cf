package io.vrfm.nn;

/** Group-count rules for GroupNorm. */
public final class Norms {
    private Norms() {
    }

    /**
     * The group count for our own (non-torchcfm) blocks: the largest {@code g ≤ 32} that divides {@code channels}
     * and leaves at least two channels per group (1 when none does). torchcfm's UNet itself always uses 32.
     */
    public static int groupsFor(int channels) {
        for (int g = Math.min(32, channels / 2); g >= 1; g--) {
            if (channels % g == 0) {
                return g;
            }
        }
        return 1;
    }
}
