package io.vrfm.tensor;

import java.util.Arrays;

/** Shape arithmetic: element counts, strides, broadcasting, axis normalisation. */
public final class Shape {
    private Shape() {
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Row-major strides of a contiguous tensor. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            s[k] = acc;
            acc *= shape[k];
        }
        return s;
    }

    /** The NumPy broadcast of two shapes, or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int k = 0; k < rank; k++) {
            int da = k - (rank - a.length) >= 0 ? a[k - (rank - a.length)] : 1;
            int db = k - (rank - b.length) >= 0 ? b[k - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " do not broadcast (axis " + k + ": " + da + " vs " + db + ")");
            }
            out[k] = Math.max(da, db);
        }
        return out;
    }

    /** Strides that read {@code shape} as if broadcast to {@code target} (0 on broadcast axes). */
    public static int[] broadcastStrides(int[] shape, int[] target) {
        int[] own = strides(shape);
        int[] out = new int[target.length];
        int shift = target.length - shape.length;
        for (int k = 0; k < target.length; k++) {
            int j = k - shift;
            out[k] = (j < 0 || shape[j] == 1) ? 0 : own[j];
        }
        return out;
    }

    /** Normalises a possibly negative axis against a rank. */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(op + ": axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }

    public static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }
}
