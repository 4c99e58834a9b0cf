package io.vrfm.eval;

/**
 * The Inception Score (Salimans et al. 2016) from classifier logits: {@code exp(E_x KL(p(y|x) ‖ p(y)))} with
 * {@code p(y)} the mean of {@code p(y|x)} over the split, averaged over {@code splits} equal splits (10 in the
 * standard protocol); the spread is the standard deviation over splits.
 */
public final class InceptionScore {
    private InceptionScore() {
    }

    /** Mean and standard deviation over splits. */
    public record Score(double mean, double std) {
    }

    /** {@code logits} row-major {@code [n × classes]}. */
    public static Score of(float[] logits, int n, int classes, int splits) {
        if (n < 1 || classes < 1 || logits.length != (long) n * classes) {
            throw new IllegalArgumentException("inception score: " + logits.length + " logits are not " + n + " × " + classes);
        }
        splits = Math.max(1, Math.min(splits, n));
        double[] p = new double[n * classes];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]);
            for (int c = 0; c < classes; c++) z += Math.exp(logits[i * classes + c] - max);
            for (int c = 0; c < classes; c++) p[i * classes + c] = Math.exp(logits[i * classes + c] - max) / z;
        }
        double[] scores = new double[splits];
        for (int k = 0; k < splits; k++) {
            int lo = (int) ((long) k * n / splits), hi = (int) ((long) (k + 1) * n / splits);
            double[] py = new double[classes];
            for (int i = lo; i < hi; i++) {
                for (int c = 0; c < classes; c++) py[c] += p[i * classes + c] / (hi - lo);
            }
            double kl = 0;
            for (int i = lo; i < hi; i++) {
                for (int c = 0; c < classes; c++) {
                    double q = p[i * classes + c];
                    if (q > 0) kl += q * (Math.log(q) - Math.log(py[c]));
                }
            }
            scores[k] = Math.exp(kl / (hi - lo));
        }
        double mean = 0, var = 0;
        for (double s : scores) mean += s / splits;
        for (double s : scores) var += (s - mean) * (s - mean) / splits;
        return new Score(mean, Math.sqrt(var));
    }
}
