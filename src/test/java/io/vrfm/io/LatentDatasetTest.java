package io.vrfm.io;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.DatasetException;
import io.vrfm.data.ImageSet;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Precomputed latents: {@code .npy} files written by NumPy ({@code fixtures/latents/make_fixture.py}) and safetensors
 * files written by the engine's writer and by hand (I64 labels, F16 latents, as PyTorch saves them).
 */
class LatentDatasetTest {
    @TempDir
    Path tmp;

    private static Path fixture(String name) throws Exception {
        return Path.of(LatentDatasetTest.class.getResource("/fixtures/latents/" + name).toURI());
    }

    /** The fixture's values: x[n, c, h, w] = (n·64 + c·16 + h·4 + w) / 64 − 3. */
    private static float[] expected() {
        float[] v = new float[6 * 64];
        for (int i = 0; i < v.length; i++) v[i] = i / 64f - 3f;
        return v;
    }

    @Test
    void readsNumpyFloat32AndFloat16LatentsWithInt64AndInt32Labels() throws Exception {
        ImageSet a = LatentDataset.load("latents:" + fixture("latents_f32.npy")); // labels.npy beside it
        assertEquals(6, a.count());
        assertEquals(4, a.channels());
        assertEquals(4, a.height());
        assertEquals(4, a.width());
        assertArrayEquals(expected(), a.pixels(), 0f);
        assertArrayEquals(new int[]{3, 1, 4, 1, 5, 9}, a.labels());
        assertEquals(10, a.classCount(), "largest label + 1");
        assertTrue(a.name().startsWith("latents:"), a.name());
        ImageSet b = LatentDataset.load("latents:" + fixture("latents_f16.npy") + "," + fixture("labels_i32.npy"));
        assertArrayEquals(expected(), b.pixels(), 0f, "float16 values are exact here");
        assertArrayEquals(a.labels(), b.labels());
    }

    private static String error(String spec) {
        DatasetException e = assertThrows(DatasetException.class, () -> LatentDataset.load(spec), spec);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void namesEachMistakeInOneLine() throws Exception {
        String labels = "," + fixture("labels.npy");
        assertTrue(error("latents:" + fixture("bad_f64.npy") + labels).contains("float64"));
        assertTrue(error("latents:" + fixture("bad_fortran.npy") + labels).contains("Fortran order"));
        assertTrue(error("latents:" + fixture("bad_3d.npy") + labels).contains("4-d N×C×H×W"));
        assertTrue(error("latents:" + fixture("bad_big_endian.npy") + labels).contains("big-endian"));
        String count = error("latents:" + fixture("latents_f32.npy") + "," + fixture("bad_labels_5.npy"));
        assertTrue(count.contains("6 latents but 5 labels"), count);
        String intLabels = error("latents:" + fixture("latents_f32.npy") + "," + fixture("bad_labels_float.npy"));
        assertTrue(intLabels.contains("expected int64 or int32"), intLabels);
        Path lone = tmp.resolve("lone.npy");
        Files.copy(fixture("latents_f32.npy"), lone);
        assertTrue(error("latents:" + lone).contains("no labels for"));
        assertTrue(error("latents:").contains("needs a file"));
        Path truncated = tmp.resolve("cut.npy");
        byte[] all = Files.readAllBytes(fixture("latents_f32.npy"));
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length - 10));
        assertTrue(error("latents:" + truncated + labels).contains("truncated"));
    }

    @Test
    void readsASafetensorsFileFromTheEngineWriter() throws Exception {
        Path f = tmp.resolve("lat.safetensors");
        try (CpuBackend be = new CpuBackend(1)) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            float[] x = new float[3 * 2 * 2 * 2];
            for (int i = 0; i < x.length; i++) x[i] = i * 0.5f - 1f;
            m.put("latents", Tensor.of(be, x, 3, 2, 2, 2));
            m.put("labels", Tensor.of(be, new float[]{2, 0, 7}, 3));
            SafeTensors.write(f, m, Map.of());
            ImageSet s = LatentDataset.load("latents:" + f);
            assertEquals(3, s.count());
            assertEquals(2, s.channels());
            assertArrayEquals(x, s.pixels(), 0f);
            assertArrayEquals(new int[]{2, 0, 7}, s.labels());

            Path noLabels = tmp.resolve("nolabels.safetensors");
            SafeTensors.write(noLabels, Map.of("latents", Tensor.of(be, x, 3, 2, 2, 2)), Map.of());
            assertTrue(error("latents:" + noLabels).contains("'labels'"));
            Path mismatch = tmp.resolve("mismatch.safetensors");
            SafeTensors.write(mismatch, Map.of("latents", Tensor.of(be, x, 3, 2, 2, 2),
                    "labels", Tensor.of(be, new float[]{1, 2}, 2)), Map.of());
            assertTrue(error("latents:" + mismatch).contains("3 latents but 2 labels"));
            Path fractional = tmp.resolve("frac.safetensors");
            SafeTensors.write(fractional, Map.of("latents", Tensor.of(be, x, 3, 2, 2, 2),
                    "labels", Tensor.of(be, new float[]{1, 2.5f, 0}, 3)), Map.of());
            assertTrue(error("latents:" + fractional).contains("not an integer"));
        }
    }

    @Test
    void readsPyTorchStyleSafetensorsWithInt64LabelsAndFloat16Latents() throws Exception {
        // as safetensors.torch.save_file({"latents": x.half(), "labels": y}) writes them (y int64)
        short[] half = {0x3C00, (short) 0xC000, 0x3800, 0x0000}; // 1, -2, 0.5, 0
        String header = "{\"labels\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"latents\":{\"dtype\":\"F16\",\"shape\":[1,1,2,2],\"data_offsets\":[8,16]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putLong(999L);
        for (short s : half) b.putShort(s);
        Path f = tmp.resolve("torch.safetensors");
        Files.write(f, b.array());
        ImageSet s = LatentDataset.load("latents:" + f);
        assertArrayEquals(new float[]{1f, -2f, 0.5f, 0f}, s.pixels(), 0f);
        assertArrayEquals(new int[]{999}, s.labels());
        assertEquals(1000, s.classCount());
    }
}
