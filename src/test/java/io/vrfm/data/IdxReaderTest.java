package io.vrfm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    private static final int ROWS = 3;
    private static final int COLS = 4;

    /** Three 3×4 images: image k holds bytes k·12 … k·12+11, except a few fixed corner values. */
    private static byte[] pixels() {
        byte[] px = TestFiles.ramp(3 * ROWS * COLS, 0);
        px[0] = 0;
        px[1] = (byte) 255;
        px[2] = (byte) 51;
        return px;
    }

    private static void assertOneLine(DatasetException e, String... fragments) {
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "message should contain '" + f + "': " + m);
        }
    }

    @Test
    void readsRawImagesAndLabels() {
        Path img = TestFiles.write(dir.resolve("train-images-idx3-ubyte"), TestFiles.idxImages(3, ROWS, COLS, pixels()));
        Path lab = TestFiles.write(dir.resolve("train-labels-idx1-ubyte"), TestFiles.idxLabels(7, 0, 9));
        ImageSet s = IdxReader.read("t", img, lab);
        assertEquals(3, s.count());
        assertEquals(1, s.channels());
        assertEquals(ROWS, s.height());
        assertEquals(COLS, s.width());
        assertEquals(10, s.classCount());
        assertArrayEquals(new int[]{7, 0, 9}, s.labels());
        assertEquals(-1f, s.pixels()[0]);
        assertEquals(1f, s.pixels()[1]);
        assertEquals(51 / 127.5f - 1f, s.pixels()[2], 1e-7);
        byte[] px = pixels();
        for (int i = 0; i < px.length; i++) {
            assertEquals((px[i] & 0xFF) / 127.5f - 1f, s.pixels()[i], 1e-7, "pixel " + i);
            assertTrue(s.pixels()[i] >= -1f && s.pixels()[i] <= 1f);
        }
    }

    @Test
    void detectsGzipByMagicNotByName() {
        // gzip content under a raw name, raw content under a .gz name: both must read
        Path img = TestFiles.write(dir.resolve("images-no-suffix"),
                TestFiles.gzip(TestFiles.idxImages(3, ROWS, COLS, pixels())));
        Path lab = TestFiles.write(dir.resolve("labels.gz"), TestFiles.idxLabels(1, 2, 3));
        ImageSet s = IdxReader.read("t", img, lab);
        assertEquals(3, s.count());
        assertArrayEquals(new int[]{1, 2, 3}, s.labels());
        Path raw = TestFiles.write(dir.resolve("raw"), TestFiles.idxImages(3, ROWS, COLS, pixels()));
        assertArrayEquals(IdxReader.readImages(raw).pixels(), IdxReader.readImages(img).pixels());
        assertArrayEquals(pixels(), IdxReader.readImages(img).pixels());
    }

    @Test
    void rejectsLabelsFileGivenAsImages() {
        Path lab = TestFiles.write(dir.resolve("labels"), TestFiles.idxLabels(1, 2, 3));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(lab));
        assertOneLine(e, lab.toString(), "0x00000801", "0x00000803", "labels file");
    }

    @Test
    void rejectsNonIdxMagic() {
        Path f = TestFiles.write(dir.resolve("not-idx"), "PK\u0003\u0004 this is a zip, not idx");
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(f));
        assertOneLine(e, f.toString(), "0x504b0304", "not an IDX file");
    }

    @Test
    void rejectsTruncatedAndOverlongImages() {
        byte[] full = TestFiles.idxImages(3, ROWS, COLS, pixels());
        Path cut = TestFiles.write(dir.resolve("cut"), Arrays.copyOf(full, full.length - 1));
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.readImages(cut)),
                cut.toString(), "truncated", String.valueOf(full.length));
        Path extra = TestFiles.write(dir.resolve("extra"), Arrays.copyOf(full, full.length + 5));
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.readImages(extra)),
                extra.toString(), "trailing");
        Path gzCut = TestFiles.write(dir.resolve("cut-gz"), TestFiles.gzip(Arrays.copyOf(full, full.length - 4)));
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.readImages(gzCut)), "truncated");
    }

    @Test
    void rejectsTruncatedLabels() {
        byte[] full = TestFiles.idxLabels(1, 2, 3, 4);
        Path cut = TestFiles.write(dir.resolve("lab"), Arrays.copyOf(full, full.length - 2));
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.readLabels(cut)), cut.toString(), "truncated");
    }

    @Test
    void rejectsBrokenGzipStream() {
        byte[] gz = TestFiles.gzip(TestFiles.idxImages(3, ROWS, COLS, pixels()));
        Path cut = TestFiles.write(dir.resolve("broken.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.readImages(cut)), cut.toString(), "gzip");
    }

    @Test
    void rejectsEmptyAndMissingFiles() {
        Path empty = TestFiles.write(dir.resolve("empty"), new byte[0]);
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.readImages(empty)), "too short");
        Path missing = dir.resolve("nope");
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.readLabels(missing)),
                missing.toString(), "no such file");
    }

    @Test
    void rejectsCountMismatch() {
        Path img = TestFiles.write(dir.resolve("img"), TestFiles.idxImages(3, ROWS, COLS, pixels()));
        Path lab = TestFiles.write(dir.resolve("lab"), TestFiles.idxLabels(1, 2));
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.read("t", img, lab)),
                img.toString(), lab.toString(), "3 images", "2 labels");
    }

    @Test
    void rejectsLabelOutOfRange() {
        Path img = TestFiles.write(dir.resolve("img"), TestFiles.idxImages(3, ROWS, COLS, pixels()));
        Path lab = TestFiles.write(dir.resolve("lab"), TestFiles.idxLabels(1, 10, 3));
        assertOneLine(assertThrows(DatasetException.class, () -> IdxReader.read("t", img, lab)),
                lab.toString(), "label 10", "index 1");
    }

    @Test
    void datasetExceptionIsAnIllegalArgumentException() {
        assertTrue(IllegalArgumentException.class.isAssignableFrom(DatasetException.class));
    }

    /** count·rows·cols = 2^20·2^22·2^22 wraps to 0 in 64-bit arithmetic, so a bare 16-byte header "matched". */
    @Test
    void headerDimensionProductOverflowIsRefused() throws Exception {
        Path f = dir.resolve("overflow-idx3-ubyte");
        java.nio.file.Files.write(f, java.nio.ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(1 << 20)
                .putInt(1 << 22).putInt(1 << 22).array());
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(f));
        assertOneLine(e, f.toString(), "too large");
    }
}
