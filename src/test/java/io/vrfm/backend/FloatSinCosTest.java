package io.vrfm.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/**
 * {@link FloatSinCos} rounds exactly as {@code (float) Math.sin} and {@code (float) Math.cos}: every float of three
 * whole binades, both signs, a stride through the rest of the computed range and beyond it, and the special values.
 * {@code FloatSinCosExhaustiveMain} runs every float of the computed range (too long for the suite).
 */
class FloatSinCosTest {

    @Test
    void everyFloatOfThreeBinadesMatchesMath() {
        // [0.5, 1): small quadrants; [2, 4): both quadrant changes near π/2 and π; [64, 128): long reductions
        for (float lo : new float[] {0.5f, 2f, 64f}) {
            assertRangeMatches(Float.floatToIntBits(lo), Float.floatToIntBits(lo * 2), 1);
        }
    }

    @Test
    void aStrideThroughTheWholeRangeAndBeyondMatchesMath() {
        int lo = Float.floatToIntBits(0x1p-14f), hi = Float.floatToIntBits(0x1p15f);
        assertRangeMatches(lo, hi, 61);
        assertRangeMatches(Float.floatToIntBits(FloatSinCos.MIN) - 3, Float.floatToIntBits(FloatSinCos.MIN) + 3, 1);
        assertRangeMatches(Float.floatToIntBits(FloatSinCos.MAX) - 3, Float.floatToIntBits(FloatSinCos.MAX) + 3, 1);
    }

    @Test
    void specialValuesMatchMath() {
        float[] a = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, (float) Math.PI, (float) (Math.PI / 2),
                -(float) (Math.PI / 2), (float) (Math.PI / 4), 1e30f, -7e8f};
        check(a, a.length);
    }

    @Test
    void resultsNearAFloatMidpointAreLeftToMath() {
        double below = 1.0 + 0x1p-24;                      // the midpoint between 1 and the next float
        assertTrue(FloatSinCos.nearMidpoint(below));
        assertTrue(FloatSinCos.nearMidpoint(Math.nextUp(below)));
        assertTrue(FloatSinCos.nearMidpoint(-below));
        assertFalse(FloatSinCos.nearMidpoint(1.0));
        assertFalse(FloatSinCos.nearMidpoint(1.0 + 0x1p-23));
        assertEquals(64, FloatSinCos.GUARD_ULPS);
    }

    private static void assertRangeMatches(int loBits, int hiBits, int stride) {
        int block = 4096;
        float[] a = new float[block];
        int m = 0;
        for (long bits = loBits; bits < hiBits; bits += stride) {
            float x = Float.intBitsToFloat((int) bits);
            a[m++] = x;
            a[m++] = -x;
            if (m == block) {
                check(a, m);
                m = 0;
            }
        }
        check(a, m);
    }

    private static void check(float[] a, int n) {
        float[] s = new float[n], c = new float[n];
        FloatSinCos.sinCos(a, 0, n, s, 0, c, 0);
        for (int i = 0; i < n; i++) {
            float ws = (float) Math.sin(a[i]), wc = (float) Math.cos(a[i]);
            if (Float.floatToRawIntBits(s[i]) != Float.floatToRawIntBits(ws)
                    || Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(wc)) {
                fail("angle " + a[i] + ": sin " + s[i] + " cos " + c[i] + ", Math gives " + ws + " " + wc);
            }
        }
    }
}
