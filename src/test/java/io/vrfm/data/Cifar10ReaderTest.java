package io.vrfm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Cifar10ReaderTest {
    @TempDir
    Path dir;

    /** Record k of batch f: label (f + k) % 10, R plane = constant 10·f + k, G = ramp from k, B = 255 − ramp. */
    private static byte[] record(int f, int k) {
        byte[] r = new byte[1024];
        Arrays.fill(r, (byte) (10 * f + k));
        byte[] g = TestFiles.ramp(1024, k);
        byte[] b = new byte[1024];
        for (int i = 0; i < 1024; i++) {
            b[i] = (byte) (255 - (g[i] & 0xFF));
        }
        return TestFiles.cifarRecord((f + k) % 10, r, g, b);
    }

    /** Writes data_batch_1..5 (2 records each) and test_batch (3 records) into {@code folder}. */
    private static void writeBatches(Path folder) {
        for (int f = 1; f <= 5; f++) {
            TestFiles.write(folder.resolve("data_batch_" + f + ".bin"), TestFiles.concat(record(f, 0), record(f, 1)));
        }
        TestFiles.write(folder.resolve("test_batch.bin"), TestFiles.concat(record(0, 0), record(0, 1), record(0, 2)));
    }

    private static float px(ImageSet s, int n, int c, int y, int x) {
        return s.pixels()[((n * 3 + c) * 32 + y) * 32 + x];
    }

    @Test
    void readsTrainAndTestFromSubfolder() {
        writeBatches(dir.resolve(Cifar10Reader.SUBFOLDER));
        ImageSet train = Cifar10Reader.read(dir, true);
        assertEquals(10, train.count());
        assertEquals(3, train.channels());
        assertEquals(32, train.height());
        assertEquals(32, train.width());
        assertEquals(10, train.classCount());
        for (int f = 1; f <= 5; f++) {
            for (int k = 0; k < 2; k++) {
                int n = (f - 1) * 2 + k;
                assertEquals((f + k) % 10, train.label(n));
                assertEquals((10 * f + k) / 127.5f - 1f, px(train, n, 0, 5, 7), 1e-7, "R plane");
                int gi = 3 * 32 + 17; // y=3, x=17
                int g = (k + gi) & 0xFF;
                assertEquals(g / 127.5f - 1f, px(train, n, 1, 3, 17), 1e-7, "G plane row-major");
                assertEquals((255 - g) / 127.5f - 1f, px(train, n, 2, 3, 17), 1e-7, "B plane");
            }
        }
        ImageSet test = Cifar10Reader.read(dir, false);
        assertEquals(3, test.count());
        assertEquals(2, test.label(2));
    }

    @Test
    void readsFromTheFolderItself() {
        writeBatches(dir);
        assertEquals(dir, Cifar10Reader.locate(dir, true));
        assertEquals(10, Cifar10Reader.read(dir, true).count());
    }

    @Test
    void missingFilesNameTheFilesAndTheDownload() {
        assertNull(Cifar10Reader.locate(dir, true));
        DatasetException e = assertThrows(DatasetException.class, () -> Cifar10Reader.read(dir, true));
        String m = e.getMessage();
        assertFalse(m.contains("\n"));
        assertTrue(m.contains("data_batch_1.bin") && m.contains("data_batch_5.bin"), m);
        assertTrue(m.contains(Cifar10Reader.DOWNLOAD_URL), m);
        assertTrue(m.contains(dir.toString()), m);
        // one of five missing is still missing
        writeBatches(dir);
        dir.resolve("data_batch_3.bin").toFile().delete();
        assertThrows(DatasetException.class, () -> Cifar10Reader.read(dir, true));
        assertEquals(3, Cifar10Reader.read(dir, false).count());
    }

    @Test
    void rejectsSizeNotAMultipleOfTheRecord() {
        byte[] two = TestFiles.concat(record(1, 0), record(1, 1));
        Path f = TestFiles.write(dir.resolve("data_batch_1.bin"), Arrays.copyOf(two, two.length - 1));
        DatasetException e = assertThrows(DatasetException.class,
                () -> Cifar10Reader.readFiles("t", java.util.List.of(f)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("3073"), e.getMessage());
        Path empty = TestFiles.write(dir.resolve("empty.bin"), new byte[0]);
        assertThrows(DatasetException.class, () -> Cifar10Reader.readFiles("t", java.util.List.of(empty)));
    }

    @Test
    void rejectsLabelTenOrMore() {
        byte[] bad = record(1, 1);
        bad[0] = 10;
        Path f = TestFiles.write(dir.resolve("b.bin"), TestFiles.concat(record(1, 0), bad));
        DatasetException e = assertThrows(DatasetException.class,
                () -> Cifar10Reader.readFiles("t", java.util.List.of(f)));
        assertTrue(e.getMessage().contains("label 10") && e.getMessage().contains("record 1"), e.getMessage());
    }
}
