package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.io.SafeTensors;
import io.vrfm.nn.FidInceptionV3;
import io.vrfm.nn.InceptionFormulaWeights;
import io.vrfm.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fid-stats} and {@code eval-image --fid inception} end to end on a tiny MNIST-format set, with the golden
 * fixture's formula weights written as a weights file (at a 75×75 resize so the test stays short).
 */
class InceptionEvalCommandTest {
    private static String[] run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream(), out = new ByteArrayOutputStream();
        PrintStream oldErr = System.err, oldOut = System.out;
        int rc;
        try {
            System.setErr(new PrintStream(err, true));
            System.setOut(new PrintStream(out, true));
            rc = Main.execute(args);
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
        return new String[]{Integer.toString(rc), err.toString(), out.toString()};
    }

    private static void writeIdx(Path dir, String prefix, int n) throws Exception {
        Files.createDirectories(dir);
        java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + n * 784);
        img.putInt(0x803).putInt(n).putInt(28).putInt(28);
        java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + n);
        lab.putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 784; p++) img.put((byte) (((p / 28) % 10 == i % 10) ? 255 : 0));
            lab.put((byte) (i % 10));
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), img.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.array());
    }

    @Test
    void fidStatsAndEvalImageWithInception(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        writeIdx(data.resolve("mnist"), "train", 12);
        writeIdx(data.resolve("mnist"), "t10k", 6);
        Path weights = tmp.resolve("inception.safetensors");
        FidInceptionV3 net = new FidInceptionV3(new CpuBackend(1), new Rng(0), FidInceptionV3.FID_SIZE);
        SafeTensors.write(weights, InceptionFormulaWeights.asTensors(net), Map.of());
        net = null;

        Path run = tmp.resolve("run");
        String[] t = run("train-image", "--dataset", "mnist", "--method", "vrfm", "--preset", "quick", "--steps", "2",
                "--batch", "4", "--checkpoint-every", "2", "--sample-every", "0", "--device", "cpu",
                "--data-dir", data.toString(), "--out", run.toString());
        assertEquals("0", t[0], t[1]);

        Path stats = tmp.resolve("mnist-test.npz");
        String[] s = run("fid-stats", "--dataset", "mnist", "--split", "test", "--inception", weights.toString(),
                "--inception-size", "75", "--out", stats.toString(), "--device", "cpu", "--data-dir", data.toString());
        assertEquals("0", s[0], s[1]);
        assertTrue(Files.isRegularFile(stats));

        Path metrics = tmp.resolve("metrics.json");
        String[] e = run("eval-image", "--run", run.toString(), "--fid", "inception", "--inception", weights.toString(),
                "--fid-stats", stats.toString(), "--inception-size", "75", "--samples", "4", "--nfe", "2",
                "--dopri5-tol", "0", "--device", "cpu", "--data-dir", data.toString(), "--out", metrics.toString());
        assertEquals("0", e[0], e[1]);
        JsonNode m = new ObjectMapper().readTree(metrics.toFile());
        assertEquals("inception-FID", m.get("metric").asText());
        assertTrue(m.get("features").asText().contains("only at 299"), m.get("features").asText());
        JsonNode row = m.get("rows").get(0);
        double fid = row.get("inception-FID").asDouble(), is = row.get("inception-score").asDouble();
        assertTrue(Double.isFinite(fid) && fid > 0, "FID " + fid);
        assertTrue(is >= 1 && is <= 4, "IS of 4 images lies in [1, 4]: " + is);
        assertTrue(e[2].contains("inception-FID"), e[2]);

        // user errors: one line each
        String[] noWeights = run("eval-image", "--run", run.toString(), "--fid", "inception", "--device", "cpu",
                "--data-dir", data.toString());
        assertEquals("2", noWeights[0]);
        assertTrue(noWeights[1].contains("--inception") && noWeights[1].strip().lines().count() == 1, noWeights[1]);
        String[] wrongFile = run("fid-stats", "--dataset", "mnist", "--split", "test", "--inception",
                run.resolve("checkpoints/last.safetensors").toString(), "--out", tmp.resolve("x.npz").toString(),
                "--device", "cpu", "--data-dir", data.toString());
        assertEquals("2", wrongFile[0]);
        assertTrue(wrongFile[1].contains("convert_fid_inception.py") && wrongFile[1].strip().lines().count() == 1, wrongFile[1]);
    }
}
