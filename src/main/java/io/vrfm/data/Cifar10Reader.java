package io.vrfm.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the binary version of CIFAR-10 ({@code cifar-10-binary.tar.gz}): files of records of 3073 bytes, one label
 * byte (0..9) then 3072 pixel bytes — the 32×32 red plane, then green, then blue, each row-major. That is already
 * CHW order, so records become NCHW images scaled to [-1, 1].
 *
 * <p>Training files are {@code data_batch_1.bin} … {@code data_batch_5.bin} (50,000 images), the test file is
 * {@code test_batch.bin} (10,000 images). CIFAR-10 cannot be fetched by this project; the user downloads it.
 */
public final class Cifar10Reader {
    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    public static final int CLASSES = 10;
    public static final String SUBFOLDER = "cifar-10-batches-bin";
    public static final String DOWNLOAD_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final List<String> TEST_FILES = List.of("test_batch.bin");
    /** Class names by label, from the data set's {@code batches.meta.txt}. */
    public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private Cifar10Reader() {
    }

    /**
     * Finds the folder holding the batch files: {@code dir} itself, or its {@code cifar-10-batches-bin} subfolder.
     * Returns null when neither holds the files of the requested split.
     */
    public static Path locate(Path dir, boolean train) {
        List<String> names = train ? TRAIN_FILES : TEST_FILES;
        for (Path candidate : new Path[]{dir, dir.resolve(SUBFOLDER)}) {
            boolean all = true;
            for (String n : names) {
                all &= Files.isRegularFile(candidate.resolve(n));
            }
            if (all) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Reads the training (50,000) or test (10,000) split from {@code dir} or {@code dir/cifar-10-batches-bin}.
     *
     * @throws DatasetException naming the folder, the files expected and where to download them, when missing
     */
    public static ImageSet read(Path dir, boolean train) {
        Path found = locate(dir, train);
        if (found == null) {
            List<String> names = train ? TRAIN_FILES : TEST_FILES;
            throw new DatasetException("CIFAR-10 " + (train ? "training" : "test") + " files not found in " + dir
                    + " or " + dir.resolve(SUBFOLDER) + " (expected " + String.join(", ", names)
                    + ") — download the binary version from " + DOWNLOAD_URL + " and extract it there (tar xzf)");
        }
        List<Path> files = new ArrayList<>();
        for (String n : train ? TRAIN_FILES : TEST_FILES) {
            files.add(found.resolve(n));
        }
        return readFiles(train ? "cifar10-train" : "cifar10-test", files);
    }

    /** Reads and concatenates the given CIFAR-10 binary batch files, in order. */
    public static ImageSet readFiles(String name, List<Path> files) {
        List<byte[]> contents = new ArrayList<>();
        long records = 0;
        for (Path f : files) {
            byte[] b;
            try {
                b = Files.readAllBytes(f);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new DatasetException(f + ": no such file — download the CIFAR-10 binary version from "
                        + DOWNLOAD_URL + " and extract it");
            } catch (IOException e) {
                throw new DatasetException(f + ": cannot read (" + e + ") — check the path and its permissions", e);
            }
            if (b.length == 0 || b.length % RECORD_BYTES != 0) {
                throw new DatasetException(f + ": " + b.length + " bytes is not a positive multiple of "
                        + RECORD_BYTES + " (1 label + 3072 pixels per record) — the file is truncated or not the"
                        + " binary version (the python version is pickled); download " + DOWNLOAD_URL);
            }
            contents.add(b);
            records += b.length / RECORD_BYTES;
        }
        if (records * IMAGE_BYTES > Integer.MAX_VALUE - 16) {
            throw new DatasetException(name + ": " + records + " images are too many for one float array"
                    + " — read fewer files at a time");
        }
        int n = (int) records;
        float[] px = new float[n * IMAGE_BYTES];
        int[] labels = new int[n];
        int i = 0;
        for (int fi = 0; fi < contents.size(); fi++) {
            byte[] b = contents.get(fi);
            for (int r = 0; r < b.length / RECORD_BYTES; r++, i++) {
                int at = r * RECORD_BYTES;
                int label = b[at] & 0xFF;
                if (label >= CLASSES) {
                    throw new DatasetException(files.get(fi) + ": label " + label + " of record " + r
                            + " is not below 10 — the file is corrupt or not CIFAR-10 (CIFAR-100's binary records are"
                            + " 3074 bytes); download " + DOWNLOAD_URL);
                }
                labels[i] = label;
                int out = i * IMAGE_BYTES;
                for (int k = 0; k < IMAGE_BYTES; k++) {
                    px[out + k] = ImageSet.scaleByte(b[at + 1 + k]);
                }
            }
        }
        return new ImageSet(name, n, CHANNELS, SIDE, SIDE, px, labels, CLASSES);
    }
}
