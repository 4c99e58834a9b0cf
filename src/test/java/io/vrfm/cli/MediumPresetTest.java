package io.vrfm.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.Method;
import io.vrfm.nn.LatentFusion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MNIST medium preset from the launcher: what it builds, and one-line refusals where it does not apply. */
class MediumPresetTest {
    private static void assertOneLine(Cli r, String... mustContain) {
        assertEquals(2, r.rc, r.toString());
        assertFalse(r.all().contains("\tat "), "stack trace: " + r);
        assertEquals(1, r.err.strip().lines().filter(l -> !l.isBlank()).count(), "not one line: " + r);
        for (String s : mustContain) {
            assertTrue(r.err.contains(s), "'" + s + "' missing: " + r);
        }
    }

    @Test
    void quickAndMediumTogetherAreRefused(@TempDir Path tmp) {
        Cli r = Cli.run("reproduce-image", "mnist", "--quick", "--medium", "--device", "cpu",
                "--data-dir", tmp.toString(), "--out", tmp.resolve("run").toString());
        assertOneLine(r, "--quick", "--medium");
    }

    @Test
    void reproduceAliasPassesMediumAndMethodsThrough(@TempDir Path tmp) {
        // `reproduce mnist` hands over to reproduce-image: before, --medium was an unknown option there
        Cli r = Cli.run("reproduce", "mnist", "--quick", "--medium", "--device", "cpu",
                "--data-dir", tmp.toString(), "--out", tmp.resolve("run").toString());
        assertOneLine(r, "--quick and --medium exclude each other");
        Cli s = Cli.run("reproduce", "sit-fashion", "--quick", "--methods", "rfm", "--device", "cpu",
                "--data-dir", tmp.toString(), "--out", tmp.resolve("run2").toString());
        assertOneLine(s, "drop --methods");
        Cli t = Cli.run("reproduce", "synthetic-2d", "--medium", "--out", tmp.resolve("run3").toString());
        assertOneLine(t, "--medium is a preset of the image experiments");
    }

    @Test
    void sitFashionHasNoMediumSize(@TempDir Path tmp) {
        Cli r = Cli.run("reproduce-image", "sit-fashion", "--medium", "--device", "cpu",
                "--data-dir", tmp.toString(), "--out", tmp.resolve("run").toString());
        assertOneLine(r, "sit-fashion", "--medium");
    }

    @Test
    void presetMediumBuildsTheMediumRecipe() {
        for (Method m : new Method[]{Method.RFM, Method.VRFM}) {
            ImageTrainCommand c = new ImageTrainCommand();
            new CommandLine(c).parseArgs("--dataset", "mnist", "--method", m.key(), "--preset", "medium");
            ImageRecipe r = c.recipe(null);
            assertEquals(ImageRecipe.mnistMedium(m).toMap(), r.toMap(), m.key());
            assertEquals("unet", r.model());
            assertEquals(32, r.width());
            assertEquals(1000, r.steps());
            assertEquals(32, r.batch());
            assertEquals(0.995f, r.emaDecay());
            assertEquals(m == Method.VRFM ? LatentFusion.ADAPTIVE_NORM : LatentFusion.NONE, r.fusion());
        }
        ImageTrainCommand fashion = new ImageTrainCommand();
        new CommandLine(fashion).parseArgs("--dataset", "fashion-mnist", "--preset", "medium");
        ImageRecipe f = fashion.recipe(null);
        assertEquals("fashion-mnist", f.dataset());
        assertEquals(ImageRecipe.mnistMedium(Method.VRFM).with(Map.of("dataset", "fashion-mnist")).toMap(), f.toMap());
    }

    @Test
    void presetMediumReachesTheRunsRecipeFile(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Cli.writeMnist(data.resolve("mnist"), 8, true);
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train-image", "--dataset", "mnist", "--method", "rfm", "--preset", "medium", "--steps", "1",
                "--batch", "2", "--width", "4", "--blocks", "1", "--sample-every", "0", "--device", "cpu",
                "--data-dir", data.toString(), "--out", out.toString());
        assertEquals(0, r.rc, r.toString());
        Map<String, Object> stored = ImageRuns.JSON.readValue(out.resolve("recipe.json").toFile(),
                new TypeReference<Map<String, Object>>() { });
        ImageRecipe medium = ImageRecipe.mnistMedium(Method.RFM);
        assertEquals(medium.emaDecay(), ((Number) stored.get("ema_decay")).floatValue());
        assertEquals(medium.warmup(), ((Number) stored.get("warmup")).intValue());
        assertEquals(medium.checkpointEvery(), ((Number) stored.get("checkpoint_every")).intValue());
    }

    @Test
    void unknownPresetNamesTheChoices(@TempDir Path tmp) {
        Cli r = Cli.run("train-image", "--dataset", "mnist", "--preset", "huge", "--device", "cpu",
                "--data-dir", tmp.toString(), "--out", tmp.resolve("run").toString());
        assertOneLine(r, "huge", "paper", "medium", "quick");
        Cli sit = Cli.run("train-image", "--dataset", "mnist", "--model", "sit", "--preset", "medium", "--device", "cpu",
                "--data-dir", tmp.toString(), "--out", tmp.resolve("run2").toString());
        assertOneLine(sit, "medium", "not for sit");
    }

    @Test
    void mediumSweepsTwoFiveAndTenEulerStepsAndFullSizeThePapersFive() {
        // the medium budget has no room for a 20-step row; the paper's sweep stays at full size
        assertArrayEquals(new int[]{2, 5, 10}, ImageReproduceCommand.defaultEulerSteps(true));
        assertArrayEquals(new int[]{2, 5, 10, 50, 100}, ImageReproduceCommand.defaultEulerSteps(false));
    }
}
