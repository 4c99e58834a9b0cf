package io.vrfm.eval;

import java.util.Locale;

/**
 * Mean and sample standard deviation (n − 1 in the denominator) of a few repeated measurements, e.g. a metric
 * over 3 seeds, with the paper's "mean ± std" formatting.
 */
public record MeanStd(double mean, double std, int n) {

    /** Mean and sample std of {@code values}; std is 0 for a single value and both are NaN for none. */
    public static MeanStd of(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new MeanStd(Double.NaN, Double.NaN, 0);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / n;
        if (n == 1) {
            return new MeanStd(mean, 0.0, 1);
        }
        double ss = 0;
        for (double v : values) {
            double d = v - mean;
            ss += d * d;
        }
        return new MeanStd(mean, Math.sqrt(ss / (n - 1)), n);
    }

    /** {@code "−1.234 ± 0.056"} (Unicode minus sign) with 3 decimals. */
    public String format() {
        return format(3);
    }

    /** Mean ± std with {@code decimals} decimals; negative numbers use the Unicode minus sign U+2212. */
    public String format(int decimals) {
        return number(mean, decimals) + " \u00b1 " + number(std, decimals);
    }

    /** ASCII variant for logs and CSV files: {@code "-1.234 +- 0.056"}. */
    public String formatAscii(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f, mean) + " +- " + String.format(Locale.ROOT, f, std);
    }

    @Override
    public String toString() {
        return format();
    }

    private static String number(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        // "-0.000" reads as zero, not as a negative number
        if (s.startsWith("-") && Double.parseDouble(s) == 0.0) {
            s = s.substring(1);
        }
        return s.startsWith("-") ? "\u2212" + s.substring(1) : s;
    }
}
