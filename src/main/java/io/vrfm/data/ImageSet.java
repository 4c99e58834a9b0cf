package io.vrfm.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * An in-memory image data set: {@code count} images of {@code channels × height × width} float pixels in NCHW order,
 * scaled to [-1, 1] (a latent set, {@code io.vrfm.io.LatentDataset}, holds its latents as they are), with one integer
 * class label per image.
 *
 * <p>The arrays are shared, not copied: {@link #pixels()} and {@link #labels()} return the backing arrays, which callers
 * must treat as read-only. Batches are copied out with {@link #copyBatch}, optionally flipping images horizontally
 * (the augmentation the paper's CIFAR-10 recipe uses).
 */
public final class ImageSet {
    private final String name;
    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    private final float[] pixels;
    private final int[] labels;
    private final int classCount;

    /**
     * @param name       a short name for messages and run records ("mnist", "cifar10-train", …)
     * @param pixels     {@code count·channels·height·width} floats, NCHW, in [-1, 1]
     * @param labels     {@code count} labels in {@code [0, classCount)}
     * @param classCount the number of classes of the data set (not necessarily all present in this set)
     */
    public ImageSet(String name, int count, int channels, int height, int width, float[] pixels, int[] labels,
                    int classCount) {
        this.name = Objects.requireNonNull(name, "name");
        if (count < 0 || channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image set " + name + ": bad shape count=" + count + " channels="
                    + channels + " height=" + height + " width=" + width);
        }
        long expected = (long) count * channels * height * width;
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (pixels.length != expected) {
            throw new IllegalArgumentException("image set " + name + ": pixels has " + pixels.length
                    + " floats, shape [" + count + ", " + channels + ", " + height + ", " + width + "] needs " + expected);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException("image set " + name + ": " + labels.length + " labels for " + count
                    + " images");
        }
        if (classCount < 0) {
            throw new IllegalArgumentException("image set " + name + ": classCount " + classCount + " < 0");
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classCount) {
                throw new IllegalArgumentException("image set " + name + ": label " + labels[i] + " of image " + i
                        + " is outside [0, " + classCount + ")");
            }
        }
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
        this.classCount = classCount;
    }

    /** As the full constructor, with {@code classCount = max(label) + 1} (0 for an empty set). */
    public ImageSet(String name, int count, int channels, int height, int width, float[] pixels, int[] labels) {
        this(name, count, channels, height, width, pixels, labels, maxPlusOne(labels));
    }

    private static int maxPlusOne(int[] labels) {
        int max = -1;
        for (int l : Objects.requireNonNull(labels, "labels")) {
            max = Math.max(max, l);
        }
        return max + 1;
    }

    /**
     * Builds a set from unsigned bytes (0..255) laid out NCHW, scaling each byte {@code b} to {@code b/127.5 − 1}
     * (0 → −1, 255 → +1).
     */
    public static ImageSet fromUnsignedBytes(String name, int count, int channels, int height, int width,
                                             byte[] bytes, int offset, int[] labels, int classCount) {
        int n = Math.multiplyExact(Math.multiplyExact(count, channels), Math.multiplyExact(height, width));
        if (offset < 0 || offset + (long) n > bytes.length) {
            throw new IllegalArgumentException("image set " + name + ": " + bytes.length + " bytes from offset "
                    + offset + " cannot hold " + n + " pixels");
        }
        float[] px = new float[n];
        for (int i = 0; i < n; i++) {
            px[i] = scaleByte(bytes[offset + i]);
        }
        return new ImageSet(name, count, channels, height, width, px, labels, classCount);
    }

    /** Maps an unsigned byte 0..255 to [-1, 1]. */
    public static float scaleByte(byte b) {
        return (b & 0xFF) / 127.5f - 1f;
    }

    public String name() {
        return name;
    }

    public int count() {
        return count;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Floats per image: {@code channels·height·width}. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The backing NCHW pixel array (read-only by convention). */
    public float[] pixels() {
        return pixels;
    }

    /** The backing label array (read-only by convention). */
    public int[] labels() {
        return labels;
    }

    public int label(int index) {
        return labels[Objects.checkIndex(index, count)];
    }

    /** The number of classes of the data set (10 for MNIST, Fashion-MNIST and CIFAR-10). */
    public int classCount() {
        return classCount;
    }

    /** Images per class, indexed by label. */
    public int[] classHistogram() {
        int[] h = new int[classCount];
        for (int l : labels) {
            h[l]++;
        }
        return h;
    }

    /**
     * Copies the images at {@code indices} into {@code dst} from {@code dstOffset} on, one after another (NCHW),
     * without augmentation. {@code dst} needs {@code indices.length·imageSize()} floats from {@code dstOffset}.
     */
    public void copyBatch(int[] indices, float[] dst, int dstOffset) {
        copyBatch(indices, dst, dstOffset, null);
    }

    /**
     * Copies the images at {@code indices} into {@code dst}, flipping each one horizontally with probability 1/2 when
     * {@code flipRng} is not null (one {@code nextBoolean()} draw per image, in order).
     */
    public void copyBatch(int[] indices, float[] dst, int dstOffset, RandomGenerator flipRng) {
        int size = imageSize();
        checkBatch(indices, dst, dstOffset, size);
        for (int b = 0; b < indices.length; b++) {
            int src = indices[b] * size;
            int out = dstOffset + b * size;
            boolean flip = flipRng != null && flipRng.nextBoolean();
            if (!flip) {
                System.arraycopy(pixels, src, dst, out, size);
            } else {
                int rows = channels * height;
                for (int r = 0; r < rows; r++) {
                    int s = src + r * width;
                    int d = out + r * width + width - 1;
                    for (int x = 0; x < width; x++) {
                        dst[d - x] = pixels[s + x];
                    }
                }
            }
        }
    }

    /**
     * As {@link #copyBatch(int[], float[], int, RandomGenerator)} with flips drawn from a {@link SplittableRandom}
     * seeded with {@code flipSeed}: the same seed gives the same flips.
     */
    public void copyBatch(int[] indices, float[] dst, int dstOffset, long flipSeed) {
        copyBatch(indices, dst, dstOffset, new SplittableRandom(flipSeed));
    }

    /** Copies the labels of the images at {@code indices} into {@code dst} from {@code dstOffset} on. */
    public void copyLabels(int[] indices, int[] dst, int dstOffset) {
        if (dstOffset < 0 || dstOffset + (long) indices.length > dst.length) {
            throw new IllegalArgumentException("image set " + name + ": label batch of " + indices.length
                    + " does not fit an int[" + dst.length + "] from offset " + dstOffset);
        }
        for (int b = 0; b < indices.length; b++) {
            dst[dstOffset + b] = labels[Objects.checkIndex(indices[b], count)];
        }
    }

    /** {@code batch} indices drawn uniformly with replacement. */
    public int[] randomIndices(int batch, RandomGenerator rng) {
        if (count == 0) {
            throw new IllegalArgumentException("image set " + name + " is empty");
        }
        int[] idx = new int[batch];
        for (int i = 0; i < batch; i++) {
            idx[i] = rng.nextInt(count);
        }
        return idx;
    }

    /** A random permutation of {@code 0..count-1} (Fisher–Yates), for epoch-style batching. */
    public int[] permutation(RandomGenerator rng) {
        int[] p = new int[count];
        for (int i = 0; i < count; i++) {
            p[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The first {@code n} images (a copy). */
    public ImageSet subset(int n) {
        if (n < 0 || n > count) {
            throw new IllegalArgumentException("image set " + name + ": subset(" + n + ") of " + count + " images");
        }
        int size = imageSize();
        return new ImageSet(name, n, channels, height, width, Arrays.copyOf(pixels, n * size),
                Arrays.copyOf(labels, n), classCount);
    }

    /** The images at {@code indices}, in that order (a copy). */
    public ImageSet subset(int[] indices) {
        int size = imageSize();
        float[] px = new float[Math.multiplyExact(indices.length, size)];
        int[] lb = new int[indices.length];
        copyBatch(indices, px, 0);
        copyLabels(indices, lb, 0);
        return new ImageSet(name, indices.length, channels, height, width, px, lb, classCount);
    }

    /** The same images under another name. */
    public ImageSet withName(String newName) {
        return new ImageSet(newName, count, channels, height, width, pixels, labels, classCount);
    }

    private void checkBatch(int[] indices, float[] dst, int dstOffset, int size) {
        long need = (long) indices.length * size;
        if (dstOffset < 0 || dstOffset + need > dst.length) {
            throw new IllegalArgumentException("image set " + name + ": batch of " + indices.length + " × " + size
                    + " floats does not fit a float[" + dst.length + "] from offset " + dstOffset);
        }
        for (int i : indices) {
            if (i < 0 || i >= count) {
                throw new IndexOutOfBoundsException("image set " + name + ": index " + i + " outside [0, " + count + ")");
            }
        }
    }

    @Override
    public String toString() {
        return name + " [" + count + ", " + channels + ", " + height + ", " + width + "], " + classCount + " classes";
    }
}
