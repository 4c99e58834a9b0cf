package io.vrfm.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic {@code 0x00000803} for a
 * {@code [count, rows, cols]} array of unsigned bytes, {@code 0x00000801} for a {@code [count]} array of unsigned
 * bytes), then the data. A file may be raw or gzip-compressed; gzip is recognised by its magic bytes {@code 1f 8b},
 * not by the file name.
 *
 * <p>Every problem is a {@link DatasetException} with one line naming the file, what is wrong and what to do.
 */
public final class IdxReader {
    /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** The raw content of an IDX image file: {@code count} images of {@code rows × cols} unsigned bytes. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
    }

    /** Reads an IDX image file (raw or gzip). */
    public static Images readImages(Path file) {
        byte[] b = readMaybeGzip(file);
        int magic = header(file, b, 0);
        if (magic != IMAGES_MAGIC) {
            throw new DatasetException(file + ": magic number 0x" + hex(magic) + " is not 0x00000803 (IDX images)"
                    + hint(magic) + " — give an images file such as train-images-idx3-ubyte(.gz)");
        }
        int count = header(file, b, 4);
        int rows = header(file, b, 8);
        int cols = header(file, b, 12);
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new DatasetException(file + ": bad dimensions count=" + count + " rows=" + rows + " cols=" + cols
                    + " in the IDX header — the file is corrupt, download it again");
        }
        long pixels = (long) count * rows; // < 2^62: no overflow yet
        if (pixels > Integer.MAX_VALUE || pixels * cols > Integer.MAX_VALUE - 16) {
            throw new DatasetException(file + ": header dimensions [" + count + ", " + rows + ", " + cols
                    + "] are too large for one array (more than 2^31 pixels) — the file is corrupt, download it again");
        }
        long expected = 16L + pixels * cols;
        if (b.length != expected) {
            throw new DatasetException(file + ": " + b.length + " bytes (uncompressed) but the header [" + count + ", "
                    + rows + ", " + cols + "] needs " + expected + (b.length < expected ? " — the file is truncated" :
                    " — the file has trailing bytes") + ", download it again");
        }
        byte[] px = new byte[(int) (expected - 16)];
        System.arraycopy(b, 16, px, 0, px.length);
        return new Images(count, rows, cols, px);
    }

    /** Reads an IDX label file (raw or gzip); labels are unsigned bytes. */
    public static int[] readLabels(Path file) {
        byte[] b = readMaybeGzip(file);
        int magic = header(file, b, 0);
        if (magic != LABELS_MAGIC) {
            throw new DatasetException(file + ": magic number 0x" + hex(magic) + " is not 0x00000801 (IDX labels)"
                    + hint(magic) + " — give a labels file such as train-labels-idx1-ubyte(.gz)");
        }
        int count = header(file, b, 4);
        if (count < 0) {
            throw new DatasetException(file + ": negative label count " + count
                    + " in the IDX header — the file is corrupt, download it again");
        }
        long expected = 8L + count;
        if (b.length != expected) {
            throw new DatasetException(file + ": " + b.length + " bytes (uncompressed) but the header [" + count
                    + "] needs " + expected + (b.length < expected ? " — the file is truncated" :
                    " — the file has trailing bytes") + ", download it again");
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = b[8 + i] & 0xFF;
        }
        return labels;
    }

    /**
     * Reads an images file and its labels file into an {@link ImageSet} of 1-channel images scaled to [-1, 1]. The two
     * counts must agree and every label must be below {@code classCount}.
     */
    public static ImageSet read(String name, Path imagesFile, Path labelsFile, int classCount) {
        Images img = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (labels.length != img.count()) {
            throw new DatasetException(imagesFile + " holds " + img.count() + " images but " + labelsFile + " holds "
                    + labels.length + " labels — use the labels file that belongs to these images (train with train, t10k with t10k)");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classCount) {
                throw new DatasetException(labelsFile + ": label " + labels[i] + " at index " + i + " is not below "
                        + classCount + " — the file is corrupt or not a " + classCount + "-class labels file");
            }
        }
        return ImageSet.fromUnsignedBytes(name, img.count(), 1, img.rows(), img.cols(), img.pixels(), 0, labels,
                classCount);
    }

    /** As {@link #read(String, Path, Path, int)} with 10 classes (MNIST, Fashion-MNIST). */
    public static ImageSet read(String name, Path imagesFile, Path labelsFile) {
        return read(name, imagesFile, labelsFile, 10);
    }

    /** Reads a whole file, gunzipping it when it starts with the gzip magic {@code 1f 8b}. */
    static byte[] readMaybeGzip(Path file) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file — check the path or fetch the data set");
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read (" + e + ") — check the path and its permissions", e);
        }
        if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1f && (raw[1] & 0xFF) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
                return in.readAllBytes();
            } catch (ZipException e) {
                throw new DatasetException(file + ": corrupt gzip data (" + e.getMessage()
                        + ") — download the file again", e);
            } catch (IOException e) {
                throw new DatasetException(file + ": gzip stream ends early or is corrupt (" + e
                        + ") — the download is incomplete, download the file again", e);
            }
        }
        return raw;
    }

    private static int header(Path file, byte[] b, int at) {
        if (b.length < at + 4) {
            throw new DatasetException(file + ": " + b.length + " bytes is too short for an IDX header"
                    + " — the file is empty or truncated, download it again");
        }
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }

    private static String hint(int magic) {
        if (magic == IMAGES_MAGIC) {
            return " (this is an images file)";
        }
        if (magic == LABELS_MAGIC) {
            return " (this is a labels file)";
        }
        if ((magic >>> 16) != 0) {
            return " (not an IDX file)";
        }
        return "";
    }
}
