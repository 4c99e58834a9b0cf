package io.vrfm.cli;

import java.util.Locale;

/** Checks a user-given size against what this JVM can hold, before anything is allocated (one-line errors). */
final class Sizes {
    private Sizes() {
    }

    /**
     * Refuses {@code option count} when {@code count × bytesEach} exceeds the heap this JVM may use, or when
     * {@code count × floatsEach} exceeds one Java array; {@code bytesEach} is a lower bound of the working memory one
     * item (sample, image) needs.
     */
    static void requireFits(String option, long count, long floatsEach, long bytesEach) {
        if (count < 1) {
            throw new IllegalArgumentException(option + " must be >= 1, got " + count);
        }
        long max = Runtime.getRuntime().maxMemory();
        double need = (double) count * bytesEach;
        if ((double) count * floatsEach > Integer.MAX_VALUE - 8 || need > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s %d needs at least %s of memory (%s each) but this JVM may use %s (-Xmx); use a smaller %s",
                    option, count, bytes(need), bytes(bytesEach), bytes(max), option));
        }
    }

    private static String bytes(double b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int u = 0;
        while (b >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    }
}
