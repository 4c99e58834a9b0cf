package io.vrfm.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageSetTest {
    /** count images of 2 channels × 2 rows × 3 cols; pixel value encodes (n, c, y, x). */
    private static ImageSet set(int count) {
        float[] px = new float[count * 12];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++) {
            labels[n] = n % 4;
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 3; x++) {
                        px[((n * 2 + c) * 2 + y) * 3 + x] = code(n, c, y, x);
                    }
                }
            }
        }
        return new ImageSet("t", count, 2, 2, 3, px, labels, 10);
    }

    private static float code(int n, int c, int y, int x) {
        return n * 1000 + c * 100 + y * 10 + x;
    }

    /** A generator whose nextBoolean() is always {@code value}. */
    private static RandomGenerator constant(boolean value) {
        return () -> value ? -1L : 0L; // nextBoolean() == nextInt() < 0, nextInt() == high bits of nextLong()
    }

    @Test
    void copyBatchWithoutFlip() {
        ImageSet s = set(5);
        float[] dst = new float[1 + 2 * 12];
        s.copyBatch(new int[]{3, 1}, dst, 1);
        assertEquals(0f, dst[0]);
        assertArrayEquals(Arrays.copyOfRange(s.pixels(), 36, 48), Arrays.copyOfRange(dst, 1, 13));
        assertArrayEquals(Arrays.copyOfRange(s.pixels(), 12, 24), Arrays.copyOfRange(dst, 13, 25));
        s.copyBatch(new int[]{4}, dst, 0, constant(false));
        assertArrayEquals(Arrays.copyOfRange(s.pixels(), 48, 60), Arrays.copyOf(dst, 12));
    }

    @Test
    void flipMirrorsEachRowOfEachChannel() {
        ImageSet s = set(3);
        float[] dst = new float[2 * 12];
        s.copyBatch(new int[]{2, 0}, dst, 0, constant(true));
        for (int b = 0; b < 2; b++) {
            int n = b == 0 ? 2 : 0;
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 3; x++) {
                        assertEquals(code(n, c, y, 2 - x), dst[((b * 2 + c) * 2 + y) * 3 + x]);
                    }
                }
            }
        }
    }

    @Test
    void seededFlipsAreReproducibleAndAboutHalf() {
        ImageSet s = set(400);
        int[] idx = new int[400];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        float[] a = new float[400 * 12];
        float[] b = new float[400 * 12];
        s.copyBatch(idx, a, 0, 42L);
        s.copyBatch(idx, b, 0, 42L);
        assertArrayEquals(a, b);
        s.copyBatch(idx, b, 0, new SplittableRandom(42L));
        assertArrayEquals(a, b);
        int flipped = 0;
        for (int n = 0; n < 400; n++) {
            if (a[n * 12] == code(n, 0, 0, 2)) {
                flipped++;
            } else {
                assertEquals(code(n, 0, 0, 0), a[n * 12]);
            }
        }
        assertTrue(flipped > 150 && flipped < 250, "flipped " + flipped + " of 400");
    }

    @Test
    void subsetsAndLabels() {
        ImageSet s = set(6);
        ImageSet first = s.subset(4);
        assertEquals(4, first.count());
        assertEquals(10, first.classCount());
        assertArrayEquals(Arrays.copyOf(s.pixels(), 48), first.pixels());
        assertArrayEquals(new int[]{0, 1, 2, 3}, first.labels());
        ImageSet picked = s.subset(new int[]{5, 2});
        assertArrayEquals(new int[]{1, 2}, picked.labels());
        assertEquals(code(5, 1, 1, 2), picked.pixels()[11]);
        int[] lab = new int[3];
        s.copyLabels(new int[]{4, 5}, lab, 1);
        assertArrayEquals(new int[]{0, 0, 1}, lab);
        assertArrayEquals(new int[]{2, 2, 1, 1, 0, 0, 0, 0, 0, 0}, s.classHistogram());
        assertEquals(4, new ImageSet("x", 6, 2, 2, 3, s.pixels(), s.labels()).classCount());
        assertThrows(IllegalArgumentException.class, () -> s.subset(7));
    }

    @Test
    void permutationAndRandomIndices() {
        ImageSet s = set(50);
        int[] p = s.permutation(new SplittableRandom(1));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
        for (int i : s.randomIndices(100, new SplittableRandom(2))) {
            assertTrue(i >= 0 && i < 50);
        }
    }

    @Test
    void validatesShapesAndIndices() {
        assertThrows(IllegalArgumentException.class,
                () -> new ImageSet("x", 2, 1, 2, 2, new float[7], new int[2], 10));
        assertThrows(IllegalArgumentException.class,
                () -> new ImageSet("x", 2, 1, 2, 2, new float[8], new int[3], 10));
        assertThrows(IllegalArgumentException.class,
                () -> new ImageSet("x", 2, 1, 2, 2, new float[8], new int[]{0, 10}, 10));
        ImageSet s = set(2);
        assertThrows(IllegalArgumentException.class, () -> s.copyBatch(new int[]{0, 1}, new float[23], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> s.copyBatch(new int[]{2}, new float[12], 0));
    }

    @Test
    void byteScaling() {
        assertEquals(-1f, ImageSet.scaleByte((byte) 0));
        assertEquals(1f, ImageSet.scaleByte((byte) 255));
        assertEquals(0.00392f, ImageSet.scaleByte((byte) 128), 1e-5);
    }
}
