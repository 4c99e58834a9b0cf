package io.vrfm.flow;

import java.util.Locale;

/**
 * The checks every training configuration shares ({@link TrainConfig}, {@link ImageRecipe}), so the synthetic and
 * the image trainer refuse the same bad values with the same one-line wording, named after the command-line option.
 */
public final class TrainingChecks {
    private TrainingChecks() {
    }

    /** {@code --lr} must be a positive finite number. */
    public static void learningRate(float lr) {
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("--lr must be positive, got " + lr);
        }
    }

    /** An integer option that must be at least 1 (batch, widths, blocks). */
    public static void atLeastOne(String option, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(option + " must be >= 1, got " + v);
        }
    }

    /** An option that must be at least 0 (iterations, warm-up, clipping, λ, periods). */
    public static void nonNegative(String option, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(option + " must be >= 0, got " + fmt(v));
        }
    }

    /** A probability in [0, 1) such as dropout. */
    public static void fraction(String option, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(option + " must be in [0, 1), got " + fmt(v));
        }
    }

    /** A decay in [0, 1] such as the EMA's. */
    public static void unitInterval(String option, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(option + " must be in [0, 1], got " + fmt(v));
        }
    }

    /** {@code --optimizer}: adam or adamw. */
    public static void optimizer(String name) {
        if (!"adam".equals(name) && !"adamw".equals(name)) {
            throw new IllegalArgumentException("--optimizer must be adam or adamw, got '" + name + "'");
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", (float) v);
    }
}
