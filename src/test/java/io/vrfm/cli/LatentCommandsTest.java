package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.NpyFile;
import io.vrfm.io.SafeTensors;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-image on precomputed latents (--dataset latents:FILE), sampling latents to .npy, and the refusals. */
class LatentCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void trainsASiTOnLatentsAndWritesSampledLatentsAsNpy() throws Exception {
        Path lat = tmp.resolve("latents.safetensors");
        try (CpuBackend be = new CpuBackend(1)) {
            float[] labels = new float[12];
            for (int i = 0; i < labels.length; i++) labels[i] = i % 4;
            SafeTensors.write(lat, Map.of("latents", Tensor.randn(be, new Rng(1), 12, 4, 4, 4),
                    "labels", Tensor.of(be, labels, 12)), Map.of());
        }
        Path run = tmp.resolve("run");
        Cli t = Cli.run("train-image", "--dataset", "latents:" + lat, "--config", "1x16x2/2", "--batch", "4",
                "--steps", "2", "--class-cond", "--device", "cpu", "--out", run.toString());
        assertEquals(0, t.rc, t.toString());
        assertTrue(t.err.contains("no sample grids"), t.err);
        JsonNode r = ImageRuns.JSON.readTree(run.resolve("recipe.json").toFile());
        assertEquals("sit", r.path("model").asText(), "latents default to SiT");
        assertEquals("latents:" + lat, r.path("dataset").asText());
        assertEquals("[4,4,4]", r.path("image_shape").toString().replace(" ", ""));
        assertEquals(4, r.path("classes").asInt());

        Path out = tmp.resolve("s.npy");
        Cli s = Cli.run("sample-image", "--run", run.toString(), "--class", "3", "--cfg", "1.5", "--cfg-channels",
                "first-three", "--rows", "1", "--cols", "3", "--steps", "2", "--device", "cpu", "--out", out.toString());
        assertEquals(0, s.rc, s.toString());
        NpyFile.Floats x = NpyFile.readFloats(out);
        assertArrayEquals(new int[]{3, 4, 4, 4}, x.shape());
        assertArrayEquals(new long[]{3, 3, 3}, NpyFile.readIntegers(tmp.resolve("s-labels.npy")).data());
        JsonNode info = ImageRuns.JSON.readTree(tmp.resolve("s.json").toFile());
        assertEquals("first-three", info.path("cfg_channels").asText());

        Cli png = Cli.run("sample-image", "--run", run.toString(), "--class", "1", "--device", "cpu");
        assertEquals(2, png.rc, png.toString());
        assertTrue(png.err.contains("VAE decoder") && png.err.contains(".npy"), png.err);
        Cli eval = Cli.run("eval-image", "--run", run.toString(), "--device", "cpu");
        assertEquals(2, eval.rc, eval.toString());
        assertTrue(eval.err.contains("no test split"), eval.err);
        Cli bad = Cli.run("train-image", "--dataset", "latents:" + tmp.resolve("missing.npy"), "--device", "cpu",
                "--out", tmp.resolve("x").toString());
        assertEquals(2, bad.rc, bad.toString());
        assertTrue(bad.err.contains("no labels for"), bad.err);
        assertTrue(Files.notExists(tmp.resolve("x").resolve("checkpoints")));
    }
}
