package io.vrfm.backend.cpu;

/**
 * Sums over a range of a float array, accumulated in double with four partial sums: a single double chain is bound
 * by the add latency (one element per four cycles), four independent chains are not. The order of the additions is
 * fixed (lanes 0–3, then {@code (s0 + s1) + (s2 + s3)}), so results do not depend on threads. Used by the norms and
 * the softmax.
 */
final class PartialSums {
    private PartialSums() {
    }

    /** Σ a[off..off+len). */
    static double sum(float[] a, int off, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int q = off, end = off + len;
        for (; q + 4 <= end; q += 4) {
            s0 += a[q];
            s1 += a[q + 1];
            s2 += a[q + 2];
            s3 += a[q + 3];
        }
        for (; q < end; q++) s0 += a[q];
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ (a − mu)² over a[off..off+len). */
    static double sumSquaredDeviations(float[] a, int off, int len, double mu) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int q = off, end = off + len;
        for (; q + 4 <= end; q += 4) {
            double t0 = a[q] - mu, t1 = a[q + 1] - mu, t2 = a[q + 2] - mu, t3 = a[q + 3] - mu;
            s0 += t0 * t0;
            s1 += t1 * t1;
            s2 += t2 * t2;
            s3 += t3 * t3;
        }
        for (; q < end; q++) {
            double t = a[q] - mu;
            s0 += t * t;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ w·(x − mu) over [off, off+len). */
    static double sumProductCentred(float[] w, float[] x, int off, int len, double mu) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int q = off, end = off + len;
        for (; q + 4 <= end; q += 4) {
            s0 += w[q] * (x[q] - mu);
            s1 += w[q + 1] * (x[q + 1] - mu);
            s2 += w[q + 2] * (x[q + 2] - mu);
            s3 += w[q + 3] * (x[q + 3] - mu);
        }
        for (; q < end; q++) s0 += w[q] * (x[q] - mu);
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ w·x over [off, off+len). */
    static double sumProduct(float[] w, float[] x, int off, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int q = off, end = off + len;
        for (; q + 4 <= end; q += 4) {
            s0 += (double) w[q] * x[q];
            s1 += (double) w[q + 1] * x[q + 1];
            s2 += (double) w[q + 2] * x[q + 2];
            s3 += (double) w[q + 3] * x[q + 3];
        }
        for (; q < end; q++) s0 += (double) w[q] * x[q];
        return (s0 + s1) + (s2 + s3);
    }
}
