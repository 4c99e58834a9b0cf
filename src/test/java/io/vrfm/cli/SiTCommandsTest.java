package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Class-conditional SiT / V-SiT from the launcher: train-image, resume, eval-image with guidance, tiny sizes. */
class SiTCommandsTest {
    @TempDir
    Path tmp;

    private Path data() throws Exception {
        Path data = tmp.resolve("data");
        Cli.writeMnist(data.resolve("fashion-mnist"), 40, true);
        Cli.writeMnist(data.resolve("fashion-mnist"), 20, false);
        return data;
    }

    private static String[] train(Path data, Path out, String... more) {
        String[] base = {"train-image", "--dataset", "fashion-mnist", "--model", "vsit", "--preset", "quick",
                "--config", "1x16x2/2", "--latent-dim", "2", "--batch", "4", "--sample-every", "2",
                "--checkpoint-every", "2", "--device", "cpu", "--data-dir", data.toString(), "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void trainsAClassConditionalVSiTResumesAndSamplesWithGuidance() throws Exception {
        Path data = data();
        Path run = tmp.resolve("vsit");
        Cli t = Cli.run(train(data, run, "--steps", "2", "--patch", "7", "--class-cond", "--cfg-dropout", "0.2"));
        assertEquals(0, t.rc, t.toString());
        JsonNode r = ImageRuns.JSON.readTree(run.resolve("recipe.json").toFile());
        assertEquals("sit", r.path("model").asText());
        assertEquals("vrfm", r.path("method").asText());
        assertEquals("1x16x2/7", r.path("sit_config").asText());
        assertTrue(r.path("class_cond").asBoolean(), r.toString());
        assertEquals(0.2, r.path("cfg_dropout").asDouble(), 1e-6);
        assertEquals(2e-3, r.path("lambda").asDouble(), 1e-9);
        assertTrue(Files.isRegularFile(run.resolve("samples/step-0000002.png")));

        Cli again = Cli.run("train-image", "--steps", "4", "--device", "cpu", "--data-dir", data.toString(),
                "--resume", run.toString());
        assertEquals(0, again.rc, again.toString());
        assertTrue(again.err.contains("at step 2"), again.err);
        Cli changed = Cli.run("train-image", "--steps", "6", "--cfg-dropout", "0.3", "--device", "cpu",
                "--data-dir", data.toString(), "--resume", run.toString());
        assertEquals(2, changed.rc, changed.toString());
        assertTrue(changed.err.contains("cfg_dropout"), changed.err);

        Cli eval = Cli.run("eval-image", "--run", run.toString(), "--samples", "20", "--nfe", "2", "--dopri5-tol", "0",
                "--classifier-steps", "1", "--min-classifier-accuracy", "0", "--cfg", "1.5", "--device", "cpu",
                "--data-dir", data.toString());
        assertEquals(0, eval.rc, eval.toString());
        assertTrue(Files.isRegularFile(run.resolve("samples-cfg1.50.png")), eval.toString());
        JsonNode m = ImageRuns.JSON.readTree(run.resolve("metrics.json").toFile());
        assertEquals(1.5, m.path("cfg").asDouble(), 1e-6);
        assertEquals("all", m.path("cfg_channels").asText(), "the default rule is recorded");
        double acc = m.path("rows").get(0).path("class_accuracy").asDouble(-1);
        assertTrue(acc >= 0 && acc <= 1, m.toString());

        Cli evalFirst3 = Cli.run("eval-image", "--run", run.toString(), "--samples", "10", "--nfe", "1", "--dopri5-tol",
                "0", "--classifier-steps", "1", "--min-classifier-accuracy", "0", "--cfg", "1.5", "--cfg-channels",
                "first-three", "--device", "cpu", "--data-dir", data.toString(), "--out", tmp.resolve("m3.json").toString());
        assertEquals(0, evalFirst3.rc, evalFirst3.toString());
        assertEquals("first-three", ImageRuns.JSON.readTree(tmp.resolve("m3.json").toFile()).path("cfg_channels").asText());
        Cli badRule = Cli.run("eval-image", "--run", run.toString(), "--cfg", "1.5", "--cfg-channels", "some",
                "--device", "cpu", "--data-dir", data.toString());
        assertEquals(2, badRule.rc, badRule.toString());
        assertTrue(badRule.err.strip().lines().count() == 1 && badRule.err.contains("--cfg-channels must be all"),
                badRule.err);

        // sample-image: one row per class; one class with z varied (rows share x0, columns share z)
        Cli grid = Cli.run("sample-image", "--run", run.toString(), "--cfg", "1.5", "--cols", "2", "--steps", "2",
                "--device", "cpu");
        assertEquals(0, grid.rc, grid.toString());
        Path gridPng = run.resolve("samples-cfg1.50-euler-2.png");
        assertTrue(Files.isRegularFile(gridPng), grid.toString());
        JsonNode gi = ImageRuns.JSON.readTree(run.resolve("samples-cfg1.50-euler-2.json").toFile());
        assertEquals(10, gi.path("rows").asInt(), "one row per class");
        assertEquals("all", gi.path("cfg_channels").asText());
        Cli vary = Cli.run("sample-image", "--run", run.toString(), "--vary-z", "--class", "3", "--cfg", "1.5",
                "--cfg-channels", "first-three", "--rows", "2", "--cols", "3", "--steps", "2", "--device", "cpu");
        assertEquals(0, vary.rc, vary.toString());
        Path varyPng = run.resolve("vary-z-by-column-class3-cfg1.50-first-three-euler-2.png");
        assertTrue(Files.isRegularFile(varyPng), vary.toString());
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(varyPng.toFile());
        java.awt.image.BufferedImage one = javax.imageio.ImageIO.read(gridPng.toFile());
        assertTrue(img.getWidth() > one.getWidth() && img.getHeight() < one.getHeight(),
                "3 columns and 2 rows against 2 columns and 10 rows: " + img.getWidth() + "x" + img.getHeight());
        JsonNode vi = ImageRuns.JSON.readTree(run.resolve("vary-z-by-column-class3-cfg1.50-first-three-euler-2.json").toFile());
        assertEquals(ImageRuns.VARY_Z_LAYOUT, vi.path("layout").asText());
        assertEquals(3, vi.path("class").asInt());
        assertEquals("first-three", vi.path("cfg_channels").asText());
        Cli noClass = Cli.run("sample-image", "--run", run.toString(), "--vary-z", "--device", "cpu");
        assertEquals(2, noClass.rc, noClass.toString());
        assertTrue(noClass.err.contains("--class"), noClass.err);
        Cli badSampleRule = Cli.run("sample-image", "--run", run.toString(), "--cfg-channels", "4", "--device", "cpu");
        assertEquals(2, badSampleRule.rc, badSampleRule.toString());
        assertTrue(badSampleRule.err.contains("--cfg-channels must be all"), badSampleRule.err);

        Cli badClass = Cli.run("eval-image", "--run", run.toString(), "--samples", "20", "--nfe", "2",
                "--dopri5-tol", "0", "--classifier-steps", "1", "--min-classifier-accuracy", "0", "--class", "10",
                "--device", "cpu", "--data-dir", data.toString());
        assertEquals(2, badClass.rc, badClass.toString());
        assertTrue(badClass.err.contains("--class 10"), badClass.err);
    }

    @Test
    void oneLineErrorsForSiTOptions() throws Exception {
        Path data = data();
        Cli badConfig = Cli.run(train(data, tmp.resolve("a"), "--steps", "1", "--config", "M/3"));
        assertEquals(2, badConfig.rc, badConfig.toString());
        assertTrue(badConfig.err.contains("DEPTHxWIDTHxHEADS/PATCH"), badConfig.err);
        Cli badPatch = Cli.run(train(data, tmp.resolve("b"), "--steps", "1", "--patch", "5"));
        assertEquals(2, badPatch.rc, badPatch.toString());
        assertTrue(badPatch.err.contains("does not divide"), badPatch.err);
        Cli rfmVsit = Cli.run(train(data, tmp.resolve("c"), "--steps", "1", "--method", "rfm"));
        assertEquals(2, rfmVsit.rc, rfmVsit.toString());
        assertTrue(rfmVsit.err.contains("--model vsit"), rfmVsit.err);
        Cli condUnet = Cli.run("train-image", "--dataset", "fashion-mnist", "--model", "unet", "--class-cond",
                "--steps", "1", "--device", "cpu", "--data-dir", data.toString(), "--out", tmp.resolve("d").toString());
        assertEquals(2, condUnet.rc, condUnet.toString());
        assertTrue(condUnet.err.contains("--class-cond needs --model sit"), condUnet.err);
    }

    @Test
    void reproduceSitFashionRunsEndToEndOnATinyPreset() throws Exception {
        assertTrue(ImageReproduceCommand.isImageExperiment("sit-fashion"), "reproduce sit-fashion dispatches here too");
        Path data = data();
        Path out = tmp.resolve("rep");
        Cli r = Cli.run("reproduce-image", "sit-fashion", "--quick", "--steps", "2", "--eval-samples", "10",
                "--classifier-steps", "2", "--device", "cpu",
                "--data-dir", data.toString(), "--out", out.toString());
        assertEquals(0, r.rc, r.toString());
        JsonNode m = ImageRuns.JSON.readTree(out.resolve("metrics.json").toFile());
        assertEquals("reproduce-image sit-fashion --quick", m.path("experiment").asText());
        java.util.Set<String> models = new java.util.TreeSet<>();
        java.util.Set<String> samplers = new java.util.TreeSet<>();
        for (JsonNode row : m.path("rows")) {
            models.add(row.path("model").asText());
            samplers.add(row.path("sampler").asText());
            double acc = row.path("class_accuracy").asDouble(-1);
            assertTrue(acc >= 0 && acc <= 1, row.toString());
        }
        assertEquals(java.util.Set.of("sit", "sit+cfg1.5", "vsit", "vsit+cfg1.5"), models);
        assertTrue(samplers.contains("sit-sde-10") && samplers.contains("dopri5") && samplers.contains("euler-2"),
                samplers.toString());
        for (String name : models) {
            assertTrue(Files.isRegularFile(out.resolve("samples-" + name + ".png")), name);
        }
        assertTrue(r.out.contains("sit+cfg1.5") && r.out.contains("acc "), r.out);
        JsonNode fig = m.path("figures").path("vary_z");
        assertEquals(ImageRuns.VARY_Z_LAYOUT, fig.path("layout").asText(), m.toString());
        assertEquals(SiTFashionExperiment.VARY_Z_CLASS, fig.path("class").asInt());
        assertTrue(Files.isRegularFile(out.resolve(fig.path("file").asText())), fig.toString());
        assertEquals("all", m.path("cfg_channels").asText());
        assertEquals("sit", ImageRuns.JSON.readTree(out.resolve("vsit/recipe.json").toFile()).path("model").asText());
    }
}
