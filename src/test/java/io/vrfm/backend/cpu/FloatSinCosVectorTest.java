package io.vrfm.backend.cpu;

import io.vrfm.backend.FloatSinCos;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link FloatSinCosVector}, the lane-wise twin of {@link FloatSinCos}, gives the scalar code's floats bit for bit,
 * and so {@code (float) Math.sin} and {@code Math.cos}: a stride through the computed range and beyond it, every
 * quadrant boundary's neighbours, the special values, and counts and offsets that leave a partly filled last vector
 * and a partly filled last block. {@code FloatSinCosExhaustiveMain cpu} runs every float of the range through it.
 */
class FloatSinCosVectorTest {

    @BeforeAll
    static void vectorApiPresent() {
        Assumptions.assumeTrue(Sgemm.vectorized(), "the Vector API module is not present: no lane-wise path to test");
    }

    @Test
    void aStrideThroughTheRangeAndBeyondMatchesTheScalarCodeAndMath() {
        int lo = Float.floatToIntBits(0x1p-14f), hi = Float.floatToIntBits(0x1p15f);
        float[] a = new float[(int) (((long) hi - lo) / 97 + 1) * 2];
        int m = 0;
        for (long bits = lo; bits < hi; bits += 97) {
            a[m++] = Float.intBitsToFloat((int) bits);
            a[m++] = -Float.intBitsToFloat((int) bits);
        }
        check(a, m, 0);
    }

    @Test
    void neighboursOfEveryQuadrantBoundaryMatch() {
        float[] a = new float[2 * 2000 * 9];
        int m = 0;
        for (int k = -1000; k < 1000; k++) {
            float b = (float) (k * Math.PI / 2);
            for (int d = -4; d <= 4; d++) {
                a[m++] = Float.intBitsToFloat(Float.floatToIntBits(b) + d);
                a[m++] = Float.intBitsToFloat(Float.floatToIntBits(b) + d) * 0.5f;
            }
        }
        check(a, m, 0);
    }

    /**
     * One angle the scalar code hands to {@code Math} (out of range, or one whose lane-wise double would be wrong)
     * among in-range angles, at every lane position of a 256-bit and a 512-bit vector.
     */
    @Test
    void oneLaneOutOfRangeAtEveryPositionOfAVector() {
        for (float odd : new float[] {0f, Float.NaN, Float.NEGATIVE_INFINITY, 1e30f, -7e8f, Float.MAX_VALUE}) {
            for (int pos = 0; pos < 16; pos++) {
                float[] a = new float[16];
                for (int i = 0; i < a.length; i++) {
                    a[i] = 0.37f * (i + 1);
                }
                a[pos] = odd;
                check(a, a.length, 0);
            }
        }
    }

    @Test
    void specialValuesMatch() {
        float[] a = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, (float) Math.PI, (float) (Math.PI / 2),
                1e30f, -7e8f, 0x1p-10f, 0x1p12f, Math.nextDown(0x1p-10f), Math.nextUp(0x1p12f)};
        check(a, a.length, 0);
    }

    /** Counts 1..2·BLOCK+1 at odd output offsets: partly filled last vectors and blocks, outputs not aligned. */
    @Test
    void everyCountAndOffsetMatches() {
        Random rnd = new Random(7);
        for (int n = 1; n <= 2 * FloatSinCosVector.BLOCK + 1; n++) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (rnd.nextFloat() - 0.5f) * 64f;
            }
            check(a, n, n % 5);
        }
    }

    /**
     * The encoder's layout: a dense block of rows of angles into one interleaved row per input (cos block, then sin
     * block), as the default {@link io.vrfm.backend.Backend#hostSinCos} writes it row by row, nothing outside them.
     */
    @Test
    void rowsOfAnglesLandInTheirStridedBlocksAsTheDefaultWritesThem() {
        Random rnd = new Random(11);
        for (int cols : new int[] {1, 3, 8, 16, 17, 70}) {
            int rows = 5, stride = 2 * cols + 3;
            float[] a = new float[rows * cols];
            for (int i = 0; i < a.length; i++) {
                a[i] = (rnd.nextFloat() - 0.5f) * 100f;
            }
            float[] got = new float[rows * stride + 4], want = new float[rows * stride + 4];
            java.util.Arrays.fill(got, -7f);
            java.util.Arrays.fill(want, -7f);
            new CpuBackend(1).hostSinCos(a, rows, cols, got, 1 + cols, got, 1, stride);
            for (int r = 0; r < rows; r++) {   // what Backend's default hostSinCos does
                FloatSinCos.sinCos(a, r * cols, cols, want, 1 + cols + r * stride, want, 1 + r * stride);
            }
            for (int i = 0; i < got.length; i++) {
                if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                    fail("cols " + cols + ": element " + i + " is " + got[i] + ", the default gives " + want[i]);
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < cols; k++) {
                    float ang = a[r * cols + k];
                    if (got[1 + r * stride + k] != (float) Math.cos(ang)
                            || got[1 + cols + r * stride + k] != (float) Math.sin(ang)) {
                        fail("cols " + cols + ", row " + r + ", angle " + k + " not where it belongs");
                    }
                }
            }
        }
    }

    private static void check(float[] a, int n, int offset) {
        float[] s = new float[n + 2 * offset + 3], c = new float[n + offset + 1];
        float[] ws = new float[n], wc = new float[n];
        FloatSinCosVector.sinCos(a, 1, n, s, 2 * offset + 3, c, offset, n);
        FloatSinCos.sinCos(a, 0, n, ws, 0, wc, 0);
        for (int i = 0; i < n; i++) {
            int sv = Float.floatToRawIntBits(s[2 * offset + 3 + i]), cv = Float.floatToRawIntBits(c[offset + i]);
            if (sv != Float.floatToRawIntBits(ws[i]) || cv != Float.floatToRawIntBits(wc[i])
                    || sv != Float.floatToRawIntBits((float) Math.sin(a[i]))
                    || cv != Float.floatToRawIntBits((float) Math.cos(a[i]))) {
                fail("angle " + a[i] + ": lane-wise sin " + s[2 * offset + 3 + i] + " cos " + c[offset + i]
                        + ", scalar " + ws[i] + " " + wc[i] + ", Math " + (float) Math.sin(a[i]) + " "
                        + (float) Math.cos(a[i]));
            }
        }
        for (int i = 0; i < 2 * offset + 3; i++) {
            if (s[i] != 0) {
                fail("wrote before the sin offset at " + i);
            }
        }
    }
}
