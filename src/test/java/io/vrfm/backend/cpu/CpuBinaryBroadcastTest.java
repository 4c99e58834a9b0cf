package io.vrfm.backend.cpu;

import io.vrfm.backend.BinaryOp;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Broadcasting binary ops on the CPU against a naive per-element index walk, bit for bit, on random shapes of rank
 * 1–5 with random broadcast patterns (so merged and unmerged dimensions, broadcast rows and scalars all occur).
 */
class CpuBinaryBroadcastTest {
    @Test
    void adjacentDimensionsThatBothOperandsWalkAsOneAreMerged() {
        // [N, C, H, W] + a per-channel [C, 1, 1]: rows of H·W
        int[][] m = CpuElementwise.mergeDimensions(new int[]{2, 3, 4, 5}, new int[]{60, 20, 5, 1}, new int[]{0, 1, 0, 0});
        assertArrayEquals(new int[]{2, 3, 20}, m[0]);
        assertArrayEquals(new int[]{60, 20, 1}, m[1]);
        assertArrayEquals(new int[]{0, 1, 0}, m[2]);
        // both contiguous: one row
        m = CpuElementwise.mergeDimensions(new int[]{2, 3, 4}, new int[]{12, 4, 1}, new int[]{12, 4, 1});
        assertArrayEquals(new int[]{24}, m[0]);
    }

    @Test
    void broadcastingMatchesANaiveWalkBitForBit() {
        Random r = new Random(21);
        try (CpuBackend be = new CpuBackend(2)) {
            for (int trial = 0; trial < 300; trial++) {
                int rank = 1 + r.nextInt(5);
                int[] shape = new int[rank];
                for (int k = 0; k < rank; k++) shape[k] = 1 + r.nextInt(trial % 10 == 0 ? 40 : 6);
                int[] aStr = broadcastStrides(shape, r), bStr = broadcastStrides(shape, r);
                int n = 1;
                for (int s : shape) n *= s;
                float[] a = random(r, extent(shape, aStr)), b = random(r, extent(shape, bStr));
                for (BinaryOp op : new BinaryOp[]{BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX}) {
                    float[] got = new float[n];
                    be.binary(op, new CpuBuffer(be, a), aStr, new CpuBuffer(be, b), bStr, new CpuBuffer(be, got), shape);
                    for (int e = 0; e < n; e++) {
                        int rem = e, ai = 0, bi = 0;
                        for (int k = rank - 1; k >= 0; k--) {
                            int idx = rem % shape[k];
                            rem /= shape[k];
                            ai += idx * aStr[k];
                            bi += idx * bStr[k];
                        }
                        float x = a[ai], y = b[bi];
                        float want = switch (op) {
                            case ADD -> x + y;
                            case SUB -> x - y;
                            case MUL -> x * y;
                            case DIV -> x / y;
                            default -> Math.max(x, y);
                        };
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[e]),
                                op + " shape " + java.util.Arrays.toString(shape) + " element " + e);
                    }
                }
            }
        }
    }

    /** Contiguous strides over {@code shape} with some dimensions broadcast (stride 0). */
    private static int[] broadcastStrides(int[] shape, Random r) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            if (r.nextInt(3) == 0) {
                st[k] = 0;
            } else {
                st[k] = s;
                s *= shape[k];
            }
        }
        return st;
    }

    private static int extent(int[] shape, int[] st) {
        int last = 0;
        for (int k = 0; k < shape.length; k++) last += (shape[k] - 1) * st[k];
        return last + 1;
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian() + (r.nextBoolean() ? 2f : -2f);
        return v;
    }
}
