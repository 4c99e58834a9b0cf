package io.vrfm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistJsonReaderTest {
    @TempDir
    Path dir;

    /** The JSON text of {@code images} 28×28 images of digit {@code d}: pixel i of image k is ((d + k + i) % 4) / 4. */
    static String digitJson(int d, int images) {
        StringBuilder sb = new StringBuilder("{ \"data\": [");
        for (int k = 0; k < images; k++) {
            for (int i = 0; i < 784; i++) {
                if (k > 0 || i > 0) {
                    sb.append(',');
                }
                int q = (d + k + i) % 4;
                sb.append(q == 0 ? "0" : q == 1 ? "0.25" : q == 2 ? "0.5" : "1");
            }
        }
        return sb.append("]}").toString();
    }

    /** Writes the npm package's layout: package/src/digits/0.json … 9.json, digit d holding (d % 3) + 1 images. */
    static Path writePackage(Path root) {
        Path digits = root.resolve("package").resolve("src").resolve("digits");
        for (int d = 0; d < 10; d++) {
            TestFiles.write(digits.resolve(d + ".json"), digitJson(d, d % 3 + 1));
        }
        return digits;
    }

    @Test
    void readsThePackageLayout() {
        Path digits = writePackage(dir);
        assertEquals(digits, MnistJsonReader.locate(dir));
        assertEquals(digits, MnistJsonReader.locate(dir.resolve("package")));
        assertEquals(digits, MnistJsonReader.locate(digits));
        ImageSet s = MnistJsonReader.read(dir);
        int total = 0;
        for (int d = 0; d < 10; d++) {
            total += d % 3 + 1;
        }
        assertEquals(total, s.count());
        assertEquals(1, s.channels());
        assertEquals(28, s.height());
        assertEquals(28, s.width());
        assertEquals(10, s.classCount());
        // class 0 first (1 image), then class 1 (2 images), class 2 (3 images), class 3 (1 image) …
        assertEquals(0, s.label(0));
        assertEquals(1, s.label(1));
        assertEquals(1, s.label(2));
        assertEquals(2, s.label(3));
        assertEquals(3, s.label(6));
        // image 2 is digit 1, k = 1: pixel i = ((1 + 1 + i) % 4) / 4, scaled 2v − 1
        float[] expect = {0.5f, 1f, 0f, 0.25f};
        for (int i = 0; i < 8; i++) {
            assertEquals(2 * expect[i % 4] - 1, s.pixels()[2 * 784 + i], 1e-6, "pixel " + i);
        }
        assertEquals(-1f, s.pixels()[0]);
    }

    @Test
    void splitIsFixedAndDisjoint() {
        writePackage(dir);
        ImageSet all = MnistJsonReader.read(dir);
        ImageSet train = MnistJsonReader.split(all, true);
        ImageSet test = MnistJsonReader.split(all, false);
        assertEquals(all.count(), train.count() + test.count());
        assertEquals(all.count() / 10, test.count());
        assertEquals(all.label(9), test.label(0));
        assertEquals(all.pixels()[9 * 784 + 5], test.pixels()[5]);
    }

    @Test
    void acceptsABareArray() {
        Path f = TestFiles.write(dir.resolve("x.json"), "[" + "0,".repeat(783) + "1]");
        float[] v = MnistJsonReader.readDigitFile(f);
        assertEquals(784, v.length);
        assertEquals(1f, v[783]);
    }

    @Test
    void rejectsMalformedFiles() {
        Path odd = TestFiles.write(dir.resolve("odd.json"), "{\"data\": [0, 0.5, 1]}");
        assertTrue(assertThrows(DatasetException.class, () -> MnistJsonReader.readDigitFile(odd)).getMessage()
                .contains("multiple of 784"));
        Path range = TestFiles.write(dir.resolve("range.json"), "{\"data\": [" + "0,".repeat(783) + "1.5]}");
        assertTrue(assertThrows(DatasetException.class, () -> MnistJsonReader.readDigitFile(range)).getMessage()
                .contains("outside [0, 1]"));
        Path cut = TestFiles.write(dir.resolve("cut.json"), "{\"data\": [0, 0.5, 1");
        DatasetException e = assertThrows(DatasetException.class, () -> MnistJsonReader.readDigitFile(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        Path noData = TestFiles.write(dir.resolve("nodata.json"), "{\"pixels\": [0, 1]}");
        assertTrue(assertThrows(DatasetException.class, () -> MnistJsonReader.readDigitFile(noData)).getMessage()
                .contains("\"data\""));
        Path str = TestFiles.write(dir.resolve("str.json"), "{\"data\": [0, \"a\"]}");
        assertThrows(DatasetException.class, () -> MnistJsonReader.readDigitFile(str));
    }

    @Test
    void missingDigitsSayHowToFetch() {
        assertNull(MnistJsonReader.locate(dir));
        DatasetException e = assertThrows(DatasetException.class, () -> MnistJsonReader.read(dir));
        assertTrue(e.getMessage().contains("data fetch mnist"), e.getMessage());
    }
}
