package io.vrfm.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Winograd path's vector data movement against the pair-at-a-time copies it replaces, bit for bit: the split of
 * a row into its even and odd columns ({@link ConvWinograd#splitRow}) and the interleaving of two output phases back
 * into a row ({@link ConvWinograd#interleave}), at every start, end and row offset up to a few vectors, including
 * rows whose last vector would read past the end of the array. Also what each may write besides: the split only
 * within L - 1 floats past its row's end (the planes leave that much room), the interleave nothing outside its pairs
 * (other workers write the columns around them).
 */
class ConvWinogradVectorTest {

    private static final int SENTINEL = 0x7fc0dead;

    @Test
    void splitRowCopiesEvenAndOddColumnsExactlyAndWritesOnlyWhereThePlaneHasRoom() {
        assumeTrue(Sgemm.vectorized(), "the Winograd path needs the Vector API (--add-modules jdk.incubator.vector)");
        int l = SgemmKernels.L;
        Random rnd = new Random(3);
        float[] in = new float[6 * l + 5];
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextFloat() * 2 - 1;
        }
        int checked = 0, vectorised = 0;
        for (int row = 0; row < in.length; row++) {
            for (int lo = 0; lo <= 2 * l; lo++) {
                for (int hi = lo; hi <= 2 * l && row + 2 * hi <= in.length; hi++) {
                    int room = hi + l - 1;                  // what a plane row may take: its pairs, then L - 1 more
                    float[] ph = new float[2 * (room + 1)];
                    Arrays.fill(ph, Float.intBitsToFloat(SENTINEL));
                    int even = 0, odd = room + 1;
                    int stop = ConvWinograd.splitRow(in, row, ph, even, odd, lo, hi);
                    assertTrue(stop >= lo && stop <= hi, "stop " + stop + " outside [" + lo + ", " + hi + "]");
                    if (stop < hi) {
                        assertTrue(row + 2 * stop + l > in.length,
                                "stopped at " + stop + " of " + hi + " with a whole vector left in the array");
                    }
                    String at = " (row " + row + ", pairs [" + lo + ", " + hi + "), stop " + stop + ")";
                    for (int i = 0; i < lo; i++) {
                        same(SENTINEL, ph[even + i], "even plane written before lo", at);
                        same(SENTINEL, ph[odd + i], "odd plane written before lo", at);
                    }
                    for (int i = lo; i < stop; i++) {
                        same(Float.floatToRawIntBits(in[row + 2 * i]), ph[even + i], "even column of pair " + i, at);
                        same(Float.floatToRawIntBits(in[row + 2 * i + 1]), ph[odd + i], "odd column of pair " + i, at);
                    }
                    same(SENTINEL, ph[even + room], "even plane written L - 1 past the pairs", at);
                    same(SENTINEL, ph[odd + room], "odd plane written L - 1 past the pairs", at);
                    checked++;
                    vectorised += stop > lo ? 1 : 0;
                }
            }
        }
        assertTrue(vectorised > checked / 2, "the vector loop ran in only " + vectorised + " of " + checked);
    }

    /** Fails unless {@code v} has the bits {@code want} (messages built only on failure: this runs 10^5 times). */
    private static void same(int want, float v, String what, String at) {
        if (Float.floatToRawIntBits(v) != want) {
            fail(what + ": bits " + Integer.toHexString(Float.floatToRawIntBits(v)) + ", expected "
                    + Integer.toHexString(want) + at);
        }
    }

    @Test
    void interleaveWritesExactlyTheWholeVectorsOfPairsAndNothingElse() {
        assumeTrue(Sgemm.vectorized(), "the Winograd path needs the Vector API (--add-modules jdk.incubator.vector)");
        int l = SgemmKernels.L, h = l / 2;
        Random rnd = new Random(5);
        float[] y = new float[8 * l];
        for (int i = 0; i < y.length; i++) {
            y[i] = rnd.nextFloat() * 2 - 1;
        }
        int e = 3, o = 3 * l + 1;                           // two phases, each read up to L/2 past its pairs
        for (int lo = 0; lo <= 2 * l; lo++) {
            for (int full = lo; full <= 2 * l; full++) {
                for (int row = 0; row < 3; row++) {
                    float[] out = new float[row + 4 * l + 2];
                    Arrays.fill(out, Float.intBitsToFloat(SENTINEL));
                    int stop = ConvWinograd.interleave(y, e, o, out, row, lo, full);
                    assertEquals(lo + (full - lo) / h * h, stop, "whole vectors of pairs from " + lo + " to " + full);
                    String at = " (pairs [" + lo + ", " + stop + ") at row " + row + ")";
                    for (int j = 0; j < out.length; j++) {
                        int pair = (j - row) >> 1;
                        boolean mine = j >= row && pair >= lo && pair < stop;
                        int want = !mine ? SENTINEL
                                : Float.floatToRawIntBits(((j - row) & 1) == 0 ? y[e + pair] : y[o + pair]);
                        same(want, out[j], "out[" + j + "]", at);
                    }
                }
            }
        }
    }
}
