package io.vrfm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper's CIFAR-10 controllability figure (Fig. 7) from the launcher: a tiny V-RFM UNet trained for a few steps
 * on a few CIFAR-10-format records (the paper recipe, shrunk), then {@code eval-image --controllability}.
 */
class CifarControllabilityTest {
    /** CIFAR-10 binary batches: per record a label byte, then 1024 R, 1024 G, 1024 B bytes; {@code n} records each. */
    static void writeCifar(Path dir, int n) throws Exception {
        Files.createDirectories(dir);
        String[] files = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin", "test_batch.bin"};
        for (int f = 0; f < files.length; f++) {
            byte[] b = new byte[n * 3073];
            for (int i = 0; i < n; i++) {
                int label = (f * n + i) % 10;
                b[i * 3073] = (byte) label;
                for (int p = 0; p < 3072; p++) {
                    int c = p / 1024, y = (p % 1024) / 32, x = p % 32;
                    b[i * 3073 + 1 + p] = (byte) ((x < 16 ? 40 : 200) + 5 * c + label + y);
                }
            }
            Files.write(dir.resolve(files[f]), b);
        }
    }

    @Test
    void evalImageDrawsFigure7ForATinyCifarVrfmRun(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        writeCifar(data.resolve("cifar10"), 2);
        Path run = tmp.resolve("vrfm");
        Cli t = Cli.run("train-image", "--dataset", "cifar10", "--method", "vrfm", "--width", "8", "--blocks", "1",
                "--posterior-width", "4", "--latent-dim", "4", "--steps", "2", "--batch", "2", "--warmup", "0",
                "--sample-every", "0", "--device", "cpu", "--data-dir", data.toString(), "--out", run.toString());
        assertEquals(0, t.rc, t.toString());
        assertTrue(t.err.contains("random horizontal flips"), "the paper recipe flips: " + t.err);
        Cli e = Cli.run("eval-image", "--run", run.toString(), "--controllability", "--nfe", "1", "--device", "cpu",
                "--data-dir", data.toString());
        assertEquals(0, e.rc, e.toString());
        Path png = run.resolve("controllability.png");
        assertTrue(Files.isRegularFile(png), e.toString());
        assertTrue(Files.isRegularFile(run.resolve("rows-share-z.png")));
        assertFalse(Files.exists(run.resolve("manifold.png")), "a 4-d latent has no 2-D manifold");
        assertFalse(Files.exists(run.resolve("metrics.json")), "figures only");
        BufferedImage fig = ImageIO.read(png.toFile());
        // 3 panels of 6 columns and 2 gap columns: 20 images wide, 6 rows
        assertEquals(io.vrfm.cli.plot.ImageGrid.width(120, 32, 20, 2), fig.getWidth());
        assertEquals(io.vrfm.cli.plot.ImageGrid.height(120, 32, 20, 2), fig.getHeight());

        Cli rfm = Cli.run("train-image", "--dataset", "cifar10", "--method", "rfm", "--width", "8", "--blocks", "1",
                "--steps", "1", "--batch", "2", "--sample-every", "0", "--device", "cpu", "--data-dir", data.toString(),
                "--out", tmp.resolve("rfm").toString());
        assertEquals(0, rfm.rc, rfm.toString());
        Cli bad = Cli.run("eval-image", "--run", tmp.resolve("rfm").toString(), "--controllability", "--device", "cpu",
                "--data-dir", data.toString());
        assertEquals(2, bad.rc, bad.toString());
        assertTrue(bad.err.contains("rfm run") && bad.err.contains("vrfm"), bad.err);
        assertEquals(1, bad.err.strip().lines().count(), bad.err);
    }

    /** A CIFAR run recorded before flips and posterior sizes were recipe fields resumes as it trained. */
    @Test
    void aRunWhoseRecipeHasNoFlipOrPosteriorFieldsResumes(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        writeCifar(data.resolve("cifar10"), 2);
        Path run = tmp.resolve("old");
        Cli t = Cli.run("train-image", "--dataset", "cifar10", "--method", "vrfm", "--width", "8", "--blocks", "1",
                "--posterior-width", "4", "--latent-dim", "4", "--steps", "1", "--batch", "2", "--sample-every", "0",
                "--no-hflip", "--posterior-blocks", "1", "--posterior-attention", "none", "--device", "cpu",
                "--data-dir", data.toString(), "--out", run.toString());
        assertEquals(0, t.rc, t.toString());
        com.fasterxml.jackson.databind.node.ObjectNode recipe =
                (com.fasterxml.jackson.databind.node.ObjectNode) ImageRuns.JSON.readTree(run.resolve("recipe.json").toFile());
        recipe.remove(java.util.List.of("hflip", "posterior_blocks", "posterior_attention"));
        Files.writeString(run.resolve("recipe.json"), ImageRuns.JSON.writeValueAsString(recipe));
        Cli r = Cli.run("train-image", "--resume", run.toString(), "--steps", "2", "--device", "cpu",
                "--data-dir", data.toString());
        assertEquals(0, r.rc, r.toString());
        assertTrue(r.err.contains("at step 1") && !r.err.contains("random horizontal flips"), r.err);
        assertEquals(false, ImageRuns.JSON.readTree(run.resolve("recipe.json").toFile()).path("hflip").asBoolean(true));
    }
}
