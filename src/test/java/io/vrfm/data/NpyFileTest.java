package io.vrfm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .npy reader and writer: round trips, header alignment, float16 decoding. */
class NpyFileTest {
    @TempDir
    Path tmp;

    @Test
    void writtenFilesReadBackWithAnAlignedHeader() throws Exception {
        Path f = tmp.resolve("x.npy");
        float[] v = {1.5f, -2f, 0f, 3.25f, 1e-8f, -7f};
        NpyFile.writeFloats(f, new int[]{1, 2, 3}, v);
        byte[] bytes = Files.readAllBytes(f);
        int headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLen) % 64, "NumPy aligns the data to 64 bytes");
        assertEquals('\n', bytes[10 + headerLen - 1]);
        NpyFile.Floats r = NpyFile.readFloats(f);
        assertArrayEquals(new int[]{1, 2, 3}, r.shape());
        assertArrayEquals(v, r.data(), 0f);
        Path g = tmp.resolve("y.npy");
        NpyFile.writeIntegers(g, new long[]{5, 0, 1L << 40});
        assertTrue(new String(Files.readAllBytes(g), 0, 80, java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("'shape': (3,)"));
        assertArrayEquals(new long[]{5, 0, 1L << 40}, NpyFile.readIntegers(g).data());
    }

    @Test
    void float16DecodesNormalsSubnormalsAndSpecials() {
        assertEquals(1f, NpyFile.halfToFloat((short) 0x3C00));
        assertEquals(-2f, NpyFile.halfToFloat((short) 0xC000));
        assertEquals(65504f, NpyFile.halfToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, NpyFile.halfToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(0x1p-14f, NpyFile.halfToFloat((short) 0x0400), "smallest normal");
        assertEquals(Float.NEGATIVE_INFINITY, NpyFile.halfToFloat((short) 0xFC00));
        assertTrue(Float.isNaN(NpyFile.halfToFloat((short) 0x7E00)));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(NpyFile.halfToFloat((short) 0x8000)));
    }
}
