package io.vrfm.backend.cpu;

/**
 * Sums over a range of a float array, accumulated in double in {@link #CHAINS} partial sums: a single double chain
 * is bound by the add latency (one element per four cycles), independent chains are not. Element {@code off + j +
 * 16t} goes to chain {@code j}; the chains are folded in a fixed order ({@link #fold}) and the last
 * {@code len % 16} elements are then added one by one, so results depend neither on threads nor on the instruction
 * set. {@link PartialSumsVector} runs the chains in double vectors, the same double operations in the same order (bit
 * for bit this code, {@code PartialSumsTest}); this scalar code is what runs without the Vector API. Used by the norms
 * and the softmax.
 */
final class PartialSums {
    /** Partial sums per range: four 256-bit or two 512-bit double vectors. */
    static final int CHAINS = 16;
    /** Whether {@link PartialSumsVector} runs the sums (the Vector API in use with 256-bit vectors or wider). */
    private static final boolean LANES = Sgemm.vectorized() && SgemmVector.vectorBits() >= 256;

    private PartialSums() {
    }

    /** Σ a[off..off+len). */
    static double sum(float[] a, int off, int len) {
        return LANES ? PartialSumsVector.sum(a, off, len) : scalarSum(a, off, len);
    }

    /** {@link #sum} without the Vector API. */
    static double scalarSum(float[] a, int off, int len) {
        double[] s = new double[CHAINS];
        int q = off, end = off + len;
        for (; q + CHAINS <= end; q += CHAINS) {
            for (int j = 0; j < CHAINS; j++) {
                s[j] += a[q + j];
            }
        }
        double r = fold(s);
        for (; q < end; q++) r += a[q];
        return r;
    }

    /** Σ (a − mu)² over a[off..off+len). */
    static double sumSquaredDeviations(float[] a, int off, int len, double mu) {
        return LANES ? PartialSumsVector.sumSquaredDeviations(a, off, len, mu) : scalarSumSquaredDeviations(a, off, len, mu);
    }

    /** {@link #sumSquaredDeviations} without the Vector API. */
    static double scalarSumSquaredDeviations(float[] a, int off, int len, double mu) {
        double[] s = new double[CHAINS];
        int q = off, end = off + len;
        for (; q + CHAINS <= end; q += CHAINS) {
            for (int j = 0; j < CHAINS; j++) {
                double t = a[q + j] - mu;
                s[j] += t * t;
            }
        }
        double r = fold(s);
        for (; q < end; q++) {
            double t = a[q] - mu;
            r += t * t;
        }
        return r;
    }

    /** Σ w·(x − mu) over [off, off+len). */
    static double sumProductCentred(float[] w, float[] x, int off, int len, double mu) {
        return LANES ? PartialSumsVector.sumProductCentred(w, x, off, len, mu) : scalarSumProductCentred(w, x, off, len, mu);
    }

    /** {@link #sumProductCentred} without the Vector API. */
    static double scalarSumProductCentred(float[] w, float[] x, int off, int len, double mu) {
        double[] s = new double[CHAINS];
        int q = off, end = off + len;
        for (; q + CHAINS <= end; q += CHAINS) {
            for (int j = 0; j < CHAINS; j++) {
                s[j] += w[q + j] * (x[q + j] - mu);
            }
        }
        double r = fold(s);
        for (; q < end; q++) r += w[q] * (x[q] - mu);
        return r;
    }

    /** Σ w·x over [off, off+len). */
    static double sumProduct(float[] w, float[] x, int off, int len) {
        return LANES ? PartialSumsVector.sumProduct(w, x, off, len) : scalarSumProduct(w, x, off, len);
    }

    /** {@link #sumProduct} without the Vector API. */
    static double scalarSumProduct(float[] w, float[] x, int off, int len) {
        double[] s = new double[CHAINS];
        int q = off, end = off + len;
        for (; q + CHAINS <= end; q += CHAINS) {
            for (int j = 0; j < CHAINS; j++) {
                s[j] += (double) w[q + j] * x[q + j];
            }
        }
        double r = fold(s);
        for (; q < end; q++) r += (double) w[q] * x[q];
        return r;
    }

    /**
     * The chains folded: {@code l} = 0–3 is {@code (s[l] + s[l+8]) + (s[l+4] + s[l+12])}, then {@code (l0 + l1) +
     * (l2 + l3)} — an order both vector widths reach without moving lanes ({@link PartialSumsVector}).
     */
    static double fold(double[] s) {
        double l0 = (s[0] + s[8]) + (s[4] + s[12]), l1 = (s[1] + s[9]) + (s[5] + s[13]);
        double l2 = (s[2] + s[10]) + (s[6] + s[14]), l3 = (s[3] + s[11]) + (s[7] + s[15]);
        return (l0 + l1) + (l2 + l3);
    }
}
