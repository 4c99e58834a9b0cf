package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Run directories of train, train-image and reproduce: refusal without --resume/--force, --force clearing stale
 * outputs, --resume refusing changed settings, and the leftovers of failed or killed runs (issue #9, items 1, 3, 6).
 */
class RunDirectoryRulesTest {
    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path data() throws Exception {
        Path data = tmp.resolve("data");
        if (!Files.isDirectory(data.resolve("mnist"))) {
            Cli.writeMnist(data.resolve("mnist"), 20, true);
        }
        return data;
    }

    private static String[] train(Path out, String... more) {
        String[] base = {"train", "--task", "moons", "--method", "rfm", "--iters", "2", "--batch", "16",
                "--device", "cpu", "--out", out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    // item 1

    @Test
    void imageRunRefusesANonEmptyDirectoryWithoutResumeOrForce() throws Exception {
        Path m1 = tmp.resolve("m1");
        Cli first = Cli.run(Cli.tinyImage(data(), "--steps", "2", "--out", m1.toString()));
        assertEquals(0, first.rc, first.toString());
        byte[] last = Files.readAllBytes(m1.resolve("checkpoints/last.safetensors"));
        byte[] recipe = Files.readAllBytes(m1.resolve("recipe.json"));
        Cli second = Cli.run(Cli.tinyImage(data(), "--steps", "3", "--seed", "5", "--out", m1.toString()));
        assertEquals(2, second.rc, second.toString());
        assertTrue(second.err.contains("--resume") && second.err.contains("--force"), second.err);
        assertArrayEquals(last, Files.readAllBytes(m1.resolve("checkpoints/last.safetensors")));
        assertArrayEquals(recipe, Files.readAllBytes(m1.resolve("recipe.json")));
        assertFalse(Files.exists(m1.resolve("checkpoints/step-0000003.safetensors")));
    }

    @Test
    void imageForceClearsStaleCheckpointsMetricsAndSamples() throws Exception {
        Path m1 = tmp.resolve("m1");
        assertEquals(0, Cli.run(Cli.tinyImage(data(), "--steps", "3", "--checkpoint-every", "1", "--out", m1.toString())).rc);
        Files.writeString(m1.resolve("metrics.json"), "{}");
        Files.createDirectories(m1.resolve("samples"));
        Files.writeString(m1.resolve("samples/step-0000003.png"), "old");
        Cli forced = Cli.run(Cli.tinyImage(data(), "--steps", "1", "--out", m1.toString(), "--force"));
        assertEquals(0, forced.rc, forced.toString());
        assertTrue(Files.isRegularFile(m1.resolve("checkpoints/step-0000001.safetensors")));
        assertFalse(Files.exists(m1.resolve("checkpoints/step-0000003.safetensors")), "stale step checkpoint kept");
        assertFalse(Files.exists(m1.resolve("metrics.json")), "stale metrics.json kept");
        assertFalse(Files.exists(m1.resolve("samples/step-0000003.png")), "stale sample kept");
        assertEquals(1, Files.readAllLines(m1.resolve("log.csv")).size() - 1);
    }

    @Test
    void resumeIsAnOptionalValueInEveryCommand() throws Exception {
        Path run = tmp.resolve("syn");
        assertEquals(0, Cli.run(train(run)).rc);
        // value form: --resume DIR (no --out) continues DIR
        Cli value = Cli.run("train", "--resume", run.toString(), "--iters", "3", "--device", "cpu");
        assertEquals(0, value.rc, value.toString());
        assertEquals(3, JSON.readTree(run.resolve("config.json").toFile()).path("iters").asInt());
        // flag form: --out DIR --resume
        Cli flag = Cli.run("train", "--out", run.toString(), "--resume", "--iters", "4", "--device", "cpu");
        assertEquals(0, flag.rc, flag.toString());
        Path m1 = tmp.resolve("m1");
        assertEquals(0, Cli.run(Cli.tinyImage(data(), "--steps", "1", "--out", m1.toString())).rc);
        Cli imageFlag = Cli.run(Cli.tinyImage(data(), "--steps", "2", "--out", m1.toString(), "--resume"));
        assertEquals(0, imageFlag.rc, imageFlag.toString());
        assertTrue(Files.isRegularFile(m1.resolve("checkpoints/step-0000002.safetensors")));
        Cli both = Cli.run("train", "--out", tmp.resolve("other").toString(), "--resume", run.toString());
        assertEquals(2, both.rc, both.toString());
    }

    // item 3

    @Test
    void trainResumeRefusesChangedSettingsListingEachAndRecordsLongerRuns() throws Exception {
        Path run = tmp.resolve("syn");
        assertEquals(0, Cli.run(train(run)).rc);
        String config = Files.readString(run.resolve("config.json"));
        Cli changed = Cli.run("train", "--resume", run.toString(), "--task", "8gaussians", "--lr", "0.5",
                "--seed", "3", "--lambda", "0.7", "--reduction", "mean", "--batch", "8", "--device", "cpu");
        assertEquals(2, changed.rc, changed.toString());
        for (String key : new String[]{"task", "lr", "seed", "lambda", "reduction", "batch"}) {
            assertTrue(changed.err.contains(key), key + " not listed: " + changed.err);
        }
        assertEquals(1, changed.err.strip().lines().count(), changed.err);
        assertEquals(config, Files.readString(run.resolve("config.json")), "config.json rewritten by a refused resume");
        Cli shorter = Cli.run("train", "--resume", run.toString(), "--iters", "1", "--device", "cpu");
        assertEquals(2, shorter.rc, shorter.toString());
        Cli longer = Cli.run("train", "--resume", run.toString(), "--iters", "5", "--device", "cpu");
        assertEquals(0, longer.rc, longer.toString());
        JsonNode c = JSON.readTree(run.resolve("config.json").toFile());
        assertEquals(5, c.path("iters").asInt());
        assertEquals("moons", c.path("task").asText());
    }

    @Test
    void imageResumeRefusesChangedSettingsAndRecordsMoreSteps() throws Exception {
        Path m1 = tmp.resolve("m1");
        assertEquals(0, Cli.run(Cli.tinyImage(data(), "--steps", "2", "--out", m1.toString())).rc);
        byte[] recipe = Files.readAllBytes(m1.resolve("recipe.json"));
        Cli changed = Cli.run(Cli.tinyImage(data(), "--steps", "3", "--lr", "0.5", "--batch", "8", "--seed", "4",
                "--resume", m1.toString()));
        assertEquals(2, changed.rc, changed.toString());
        for (String key : new String[]{"lr", "batch", "seed"}) {
            assertTrue(changed.err.contains(key), key + " not listed: " + changed.err);
        }
        assertArrayEquals(recipe, Files.readAllBytes(m1.resolve("recipe.json")));
        Cli fewer = Cli.run(Cli.tinyImage(data(), "--steps", "3", "--train-limit", "10", "--resume", m1.toString()));
        assertEquals(2, fewer.rc, fewer.toString());
        assertTrue(fewer.err.contains("--train-limit"), fewer.err);
        Cli more = Cli.run(Cli.tinyImage(data(), "--steps", "3", "--resume", m1.toString()));
        assertEquals(0, more.rc, more.toString());
        assertEquals(3, JSON.readTree(m1.resolve("recipe.json").toFile()).path("steps").asInt());
    }

    @Test
    void reproduceResumeRefusesChangedSettings() throws Exception {
        Path run = tmp.resolve("rep");
        io.vrfm.eval.SyntheticEvaluation.Settings q = io.vrfm.eval.SyntheticEvaluation.forExperiment("synthetic-1d", true);
        io.vrfm.eval.SyntheticEvaluation.Settings s = new io.vrfm.eval.SyntheticEvaluation.Settings(q.experiment(), q.task(),
                q.base().withIters(2).withBatch(16), q.methods(), q.seeds(), 20, q.eulerSteps(), q.dopri5(),
                q.w1Points(), q.checkpointEvery(), q.quick());
        try (io.vrfm.backend.cpu.CpuBackend be = new io.vrfm.backend.cpu.CpuBackend(1)) {
            new SyntheticExperiment(s, be, run, false, System.out).writeConfig(); // what a first run records
        }
        String config = Files.readString(run.resolve("config.json"));
        Cli changed = Cli.run("reproduce", "synthetic-1d", "--quick", "--iters", "2", "--batch", "32", "--lambda", "0.5",
                "--methods", "rfm", "--eval-samples", "20", "--device", "cpu", "--out", run.toString(), "--resume");
        assertEquals(2, changed.rc, changed.toString());
        assertTrue(changed.err.contains("batch") && changed.err.contains("lambda"), changed.err);
        assertEquals(config, Files.readString(run.resolve("config.json")));
    }

    // item 6

    @Test
    void trainImageResumeWithoutOutContinuesThatFolder() throws Exception {
        Path m1 = tmp.resolve("m1");
        assertEquals(0, Cli.run(Cli.tinyImage(data(), "--steps", "1", "--out", m1.toString())).rc);
        Cli r = Cli.run("train-image", "--resume", m1.toString(), "--steps", "2", "--device", "cpu",
                "--data-dir", data().toString());
        assertEquals(0, r.rc, r.toString());
        assertTrue(Files.isRegularFile(m1.resolve("checkpoints/step-0000002.safetensors")), r.toString());
        assertTrue(r.out.contains(m1.toString()), r.out);
    }

    @Test
    void checkpointEveryZeroSavesOnlyAtTheEnd() throws Exception {
        Path m1 = tmp.resolve("m1");
        Cli r = Cli.run(Cli.tinyImage(data(), "--steps", "2", "--checkpoint-every", "0", "--out", m1.toString()));
        assertEquals(0, r.rc, r.toString());
        assertTrue(Files.isRegularFile(m1.resolve("checkpoints/last.safetensors")));
        assertTrue(Files.isRegularFile(m1.resolve("checkpoints/step-0000002.safetensors")));
        assertFalse(Files.exists(m1.resolve("checkpoints/step-0000001.safetensors")));
        Cli negative = Cli.run(Cli.tinyImage(data(), "--steps", "2", "--checkpoint-every", "-1",
                "--out", tmp.resolve("m2").toString()));
        assertEquals(2, negative.rc, negative.toString());
        assertTrue(negative.err.contains("--checkpoint-every"), negative.err);
    }

    @Test
    void trainForceClearsOldMetricsAndSamples() throws Exception {
        Path run = tmp.resolve("syn");
        assertEquals(0, Cli.run(train(run)).rc);
        assertEquals(0, Cli.run("sample", "--run", run.toString(), "--n", "10", "--steps", "2", "--device", "cpu").rc);
        Files.writeString(run.resolve("metrics.json"), "{}");
        assertTrue(Files.isRegularFile(run.resolve("samples-euler2.csv")));
        Cli forced = Cli.run(train(run, "--force"));
        assertEquals(0, forced.rc, forced.toString());
        assertFalse(Files.exists(run.resolve("metrics.json")));
        assertFalse(Files.exists(run.resolve("samples-euler2.csv")));
        assertFalse(Files.exists(run.resolve("samples-euler2.png")));
    }

    // leftovers

    @Test
    void aRunFailingValidationLeavesNoCheckpointsFolder() {
        Path run = tmp.resolve("bad");
        Cli r = Cli.run(train(run, "--lr", "-1"));
        assertEquals(2, r.rc, r.toString());
        assertFalse(Files.exists(run.resolve("checkpoints")));
        Cli d = Cli.run("train", "--task", "moons", "--device", "tpu", "--out", run.toString());
        assertEquals(2, d.rc, d.toString());
        assertFalse(Files.exists(run.resolve("checkpoints")));
    }

    @Test
    void aRunKilledBeforeItsFirstCheckpointRestartsWithoutForceAndOrphanTmpFilesGo() throws Exception {
        Path run = tmp.resolve("killed");
        Files.createDirectories(run.resolve("checkpoints"));
        Files.writeString(run.resolve("config.json"), "{\"task\":\"moons\"}");
        Files.writeString(run.resolve("checkpoints/.model.safetensors123.tmp"), "partial");
        Cli r = Cli.run(train(run));
        assertEquals(0, r.rc, r.toString());
        assertTrue(Files.isRegularFile(run.resolve(SingleRun.CHECKPOINT)));
        assertFalse(Files.exists(run.resolve("checkpoints/.model.safetensors123.tmp")));
        // a finished run keeps its orphan-free folder on --resume too
        Files.writeString(run.resolve("checkpoints/.model.safetensors456.tmp"), "partial");
        assertEquals(0, Cli.run("train", "--resume", run.toString(), "--iters", "3", "--device", "cpu").rc);
        assertFalse(Files.exists(run.resolve("checkpoints/.model.safetensors456.tmp")));
    }

    // item 5

    @Test
    void evalImageRefusesAWeakClassifierAndSaysWhichOneItUsed() throws Exception {
        Path data = data();
        Cli.writeMnist(data.resolve("mnist"), 20, false);
        Path m1 = tmp.resolve("m1");
        assertEquals(0, Cli.run(Cli.tinyImage(data, "--steps", "1", "--out", m1.toString())).rc);
        String[] eval = {"eval-image", "--run", m1.toString(), "--samples", "10", "--nfe", "2", "--dopri5-tol", "0",
                "--classifier-steps", "1", "--device", "cpu", "--data-dir", data.toString()};
        Cli weak = Cli.run(eval);
        assertEquals(2, weak.rc, weak.toString());
        assertTrue(weak.err.contains("accuracy") && weak.err.contains("--min-classifier-accuracy"), weak.err);
        String[] accept = java.util.Arrays.copyOf(eval, eval.length + 2);
        accept[eval.length] = "--min-classifier-accuracy";
        accept[eval.length + 1] = "0";
        Cli ok = Cli.run(accept);
        assertEquals(0, ok.rc, ok.toString());
        assertTrue(ok.all().contains("classifier:") && ok.all().contains(data.resolve("cache").toString()), ok.toString());
        JsonNode m = JSON.readTree(m1.resolve("metrics.json").toFile());
        assertTrue(m.has("classifier") && m.path("classifier").has("test_accuracy"), m.toString());
    }
}
