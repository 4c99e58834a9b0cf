package io.vrfm.backend;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * {@code sin} and {@code cos} of float angles rounded to float, bit for bit equal to {@code (float) Math.sin(a)} and
 * {@code (float) Math.cos(a)}, faster for both at once: the sinusoidal encoders of the synthetic models spent a
 * fifth of a 2-D training step in those two calls (9,000 rows × 32 frequencies per V-RFM step).
 *
 * <p>Why the bits are the same: for {@code 2^-10 <= |a| <= 2^12} the value is computed in double (one reduction
 * by π/2 in three parts whose products with the quadrant are exact, then Taylor polynomials to degree 17 and 18 on
 * {@code |r| <= π/4}), a few double ulps from the true value, as {@code Math.sin}'s is. Rounding to float can only
 * tell two such values apart where a float rounding midpoint lies between them, so a result within
 * {@link #GUARD_ULPS} double ulps of a midpoint is recomputed with {@code Math}; so is every angle outside that
 * range, NaN and the infinities included. {@code FloatSinCosTest} compares whole binades and a sample of the rest
 * against {@code Math}; {@code FloatSinCosExhaustiveMain} compares every float in the range (0 mismatches of
 * 402,653,184 angles on JDK 17 and 25, AVX-512 and AVX2).
 */
public final class FloatSinCos {
    /** Smallest and largest |a| computed here; the rest goes to {@code Math}. */
    static final float MIN = 0x1p-10f, MAX = 0x1p12f;
    /** Distance, in double ulps, from a float rounding midpoint below which {@code Math} decides. */
    static final long GUARD_ULPS = 64;

    // The constants are public for the CPU backend's lane-wise twin (FloatSinCosVector), which runs the same
    // double operations in the same order and rounds with roundSin and roundCos.
    public static final double TWO_OVER_PI;
    /** π/2 = P1 + P2 + P3 (+ ~2^-100): P1 and P2 have 33 significant bits, so {@code n·P1}, {@code n·P2} are exact. */
    public static final double P1, P2, P3;
    public static final double S3 = -1.0 / 6, S5 = 1.0 / 120, S7 = -1.0 / 5040, S9 = 1.0 / 362880,
            S11 = -1.0 / 39916800, S13 = 1.0 / 6227020800.0, S15 = -1.0 / 1307674368000.0,
            S17 = 1.0 / 355687428096000.0;
    public static final double C2 = -1.0 / 2, C4 = 1.0 / 24, C6 = -1.0 / 720, C8 = 1.0 / 40320,
            C10 = -1.0 / 3628800, C12 = 1.0 / 479001600, C14 = -1.0 / 87178291200.0,
            C16 = 1.0 / 20922789888000.0, C18 = -1.0 / 6402373705728000.0;
    private static final long MID = 1L << 28, LOW29 = (1L << 29) - 1;
    /** Adding and subtracting 1.5·2^52 rounds a double of magnitude below 2^51 to the nearest integer (ties even). */
    public static final double ROUNDER = 0x1.8p52;

    static {
        MathContext mc = new MathContext(60);
        BigDecimal halfPi = new BigDecimal("1.57079632679489661923132169163975144209858469968755291048747");
        P1 = leading33(halfPi.doubleValue());
        BigDecimal rest = halfPi.subtract(new BigDecimal(P1), mc);
        P2 = leading33(rest.doubleValue());
        P3 = rest.subtract(new BigDecimal(P2), mc).doubleValue();
        TWO_OVER_PI = BigDecimal.ONE.divide(halfPi, mc).doubleValue();
    }

    private FloatSinCos() {
    }

    /** {@code x} with all but its 33 leading significant bits cleared. */
    private static double leading33(double x) {
        return Double.longBitsToDouble(Double.doubleToRawLongBits(x) & ~((1L << 20) - 1));
    }

    /**
     * {@code sin[sinAt + i] = (float) Math.sin(a[aAt + i])} and {@code cos[cosAt + i] = (float) Math.cos(a[aAt + i])}
     * for {@code i < count}: both from one reduction, without branches, the rare angle out of range or result near a
     * float midpoint handed to {@code Math}. The quadrant selects sin or cos by weights 0 or ±1 (exact): the quadrants
     * of consecutive angles are random, and branches on them, mispredicted, cost what the polynomials saved.
     */
    public static void sinCos(float[] a, int aAt, int count, float[] sin, int sinAt, float[] cos, int cosAt) {
        for (int i = 0; i < count; i++) {
            float ai = a[aAt + i];
            double x = ai;
            // rint and floor by the 1.5·2^52 trick (exact for these magnitudes; any NaN or huge angle goes to Math)
            double n = (x * TWO_OVER_PI + ROUNDER) - ROUNDER;
            double r = ((x - n * P1) - n * P2) - n * P3;
            double z = r * r;
            double s = sinPoly(r, z), c = cosPoly(z);
            // quadrant q = n mod 4: sin = (s, c, -s, -c)[q], cos = (c, -s, -c, s)[q]
            double q = n - 4 * (((n - 1.5) * 0.25 + ROUNDER) - ROUNDER);            // n - 4·floor(n/4)
            double hi = ((q - 0.5) * 0.5 + ROUNDER) - ROUNDER;                       // floor(q/2)
            double odd = q - 2 * hi;
            double cosNeg = odd + hi - 2 * odd * hi;                                 // q is 1 or 2
            double sv = (1 - 2 * hi) * ((1 - odd) * s + odd * c);
            double cv = (1 - 2 * cosNeg) * ((1 - odd) * c + odd * s);
            sin[sinAt + i] = roundSin(ai, sv);
            cos[cosAt + i] = roundCos(ai, cv);
        }
    }

    /** {@code sin a} from its double {@code v} computed as above: {@code v} rounded, or {@code Math} where unsure. */
    public static float roundSin(float a, double v) {
        return inRange(a) && !nearMidpoint(v) ? (float) v : (float) Math.sin(a);
    }

    /** {@code cos a} from its double {@code v} computed as above, as {@link #roundSin}. */
    public static float roundCos(float a, double v) {
        return inRange(a) && !nearMidpoint(v) ? (float) v : (float) Math.cos(a);
    }

    private static boolean inRange(float a) {
        float ax = Math.abs(a);
        return ax >= MIN && ax <= MAX;
    }

    /** {@code sin r} for {@code z = r²}; Estrin's scheme (short dependency chains: the loop overlaps angles). */
    private static double sinPoly(double r, double z) {
        double z2 = z * z, z4 = z2 * z2;
        double p = (S3 + S5 * z) + z2 * (S7 + S9 * z) + z4 * ((S11 + S13 * z) + z2 * (S15 + S17 * z));
        return r + r * z * p;
    }

    /** {@code cos r} for {@code z = r²}, as {@link #sinPoly}. */
    private static double cosPoly(double z) {
        double z2 = z * z, z4 = z2 * z2;
        double p = (C2 + C4 * z) + z2 * (C6 + C8 * z) + z4 * ((C10 + C12 * z) + z2 * (C14 + C16 * z))
                + z4 * z4 * C18;
        return 1.0 + z * p;
    }

    /**
     * Whether {@code v} (a normal double of float range) lies within {@link #GUARD_ULPS} double ulps of a midpoint
     * between two adjacent floats: its 29 mantissa bits below float precision are near {@code 1 << 28}.
     */
    static boolean nearMidpoint(double v) {
        long low = Double.doubleToRawLongBits(v) & LOW29;
        return Math.abs(low - MID) <= GUARD_ULPS;
    }
}
