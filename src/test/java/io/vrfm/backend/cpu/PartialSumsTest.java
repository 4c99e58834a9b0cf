package io.vrfm.backend.cpu;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link PartialSums}: its four sums equal the scalar code's bits on the lane-wise path ({@link PartialSumsVector}),
 * for every length 0–70 (whole chunks of 16 and tails) at offsets 0–5, with signed zeros, infinities and NaN among
 * the values; and are accurate (close to the exact sum of the doubles) on a long, badly scaled range.
 */
class PartialSumsTest {

    @Test
    void theLaneWiseSumsAreTheScalarCodesBitForBit() {
        Assumptions.assumeTrue(Sgemm.vectorized() && SgemmVector.vectorBits() >= 256,
                "the Vector API is not in use with 256-bit vectors: only the scalar sums run");
        Random r = new Random(3);
        float[][] specials = {{}, {-0f}, {Float.POSITIVE_INFINITY}, {Float.NEGATIVE_INFINITY}, {Float.NaN},
            {1e30f, -1e30f}};
        for (float[] special : specials) {
            for (int len = 0; len <= 70; len++) {
                for (int off = 0; off <= 5; off++) {
                    float[] w = new float[off + len + 3], x = new float[off + len + 3];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = (float) (r.nextGaussian() * Math.exp(6 * r.nextGaussian()));
                        x[i] = (float) (r.nextGaussian() * 3 + 1);
                    }
                    if (len > 0) {
                        for (int i = 0; i < special.length; i++) {
                            w[off + r.nextInt(len)] = special[i];
                        }
                    }
                    double mu = r.nextGaussian();
                    String at = "len " + len + ", off " + off + ", special " + java.util.Arrays.toString(special);
                    same(PartialSums.scalarSum(w, off, len), PartialSumsVector.sum(w, off, len), "sum, " + at);
                    same(PartialSums.scalarSumSquaredDeviations(w, off, len, mu),
                            PartialSumsVector.sumSquaredDeviations(w, off, len, mu), "squared deviations, " + at);
                    same(PartialSums.scalarSumProductCentred(w, x, off, len, mu),
                            PartialSumsVector.sumProductCentred(w, x, off, len, mu), "product centred, " + at);
                    same(PartialSums.scalarSumProduct(w, x, off, len), PartialSumsVector.sumProduct(w, x, off, len),
                            "product, " + at);
                }
            }
        }
    }

    /** 100,003 values over twelve orders of magnitude: within 1e-13 of the exact sum (BigDecimal) on either path. */
    @Test
    void sumsAreAccurate() {
        Random r = new Random(5);
        int n = 100_003;
        float[] a = new float[n + 1];
        BigDecimal exact = BigDecimal.ZERO, exactSq = BigDecimal.ZERO;
        double mu = 0.25;
        for (int i = 1; i <= n; i++) {
            a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 6));
            exact = exact.add(new BigDecimal(a[i]));
            BigDecimal d = new BigDecimal(a[i]).subtract(new BigDecimal(mu));
            exactSq = exactSq.add(d.multiply(d));
        }
        double scale = exact.abs().doubleValue() + 1e-3;
        assertEquals(exact.doubleValue(), PartialSums.sum(a, 1, n), 1e-13 * scale);
        assertEquals(exact.doubleValue(), PartialSums.scalarSum(a, 1, n), 1e-13 * scale);
        assertEquals(exactSq.doubleValue(), PartialSums.sumSquaredDeviations(a, 1, n, mu), 1e-13 * exactSq.doubleValue());
        assertEquals(exactSq.doubleValue(), PartialSums.scalarSumSquaredDeviations(a, 1, n, mu),
                1e-13 * exactSq.doubleValue());
    }

    /** Chains fold in the documented order: {@code (s[l] + s[l+8]) + (s[l+4] + s[l+12])}, then pairwise. */
    @Test
    void theFoldOrderIsTheDocumentedOne() {
        double[] s = new double[PartialSums.CHAINS];
        s[0] = 1e16;
        s[8] = 1;
        s[4] = -1e16;
        s[1] = 1;
        // (1e16 + 1) + (-1e16 + 0) = 0 in double (1e16 + 1 rounds to 1e16); then (0 + 1) + (0 + 0) = 1
        assertEquals(1.0, PartialSums.fold(s));
        // the lane-wise path on the same chains: element j of a 16-long range goes to chain j
        float[] a = new float[PartialSums.CHAINS];
        a[0] = 1e16f;
        a[8] = 1;
        a[4] = -1e16f;
        a[1] = 1;
        assertEquals(PartialSums.fold(toDouble(a)), PartialSums.scalarSum(a, 0, a.length));
        assertEquals(PartialSums.scalarSum(a, 0, a.length), PartialSums.sum(a, 0, a.length));
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static void same(double want, double got, String what) {
        assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got), what + ": " + want + " vs "
                + got);
    }
}
