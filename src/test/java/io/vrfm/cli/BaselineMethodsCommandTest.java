package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OT-FM from every training command, and consistency FM on images: train, sample, evaluate. */
class BaselineMethodsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void otfmTrainSampleEvalAndReproduceOnTheSyntheticTasks() throws Exception {
        Path run = tmp.resolve("t");
        Cli t = Cli.run("train", "--task", "synthetic-2d", "--method", "otfm", "--iters", "10", "--batch", "32",
                "--device", "cpu", "--out", run.toString());
        assertEquals(0, t.rc, t.toString());
        assertEquals("otfm", JSON.readTree(run.resolve("config.json").toFile()).path("method").asText());
        assertEquals(0, Cli.run("sample", "--run", run.toString(), "--sampler", "euler", "--steps", "2", "--n", "20",
                "--device", "cpu").rc);
        assertEquals(0, Cli.run("eval", "--run", run.toString(), "--n", "50", "--ll-samples", "0", "--device", "cpu").rc);
        assertTrue(JSON.readTree(run.resolve("metrics.json").toFile()).path("models").path("otfm").has("euler_2"));

        Path rep = tmp.resolve("rep");
        Cli r = Cli.run("reproduce", "synthetic-2d", "--quick", "--iters", "10", "--batch", "32", "--eval-samples", "50",
                "--methods", "rfm,otfm", "--device", "cpu", "--out", rep.toString());
        assertEquals(0, r.rc, r.toString());
        JsonNode m = JSON.readTree(rep.resolve("metrics.json").toFile()).path("models");
        assertTrue(m.path("otfm").path("euler_2").path("w1").has("mean") && m.has("rfm"), m.toString());
        assertTrue(Files.isRegularFile(rep.resolve("checkpoints/otfm-seed0.safetensors")));
    }

    private String[] tinyImage(Path data, String method, int steps, Path out, String... more) {
        String[] base = {"train-image", "--dataset", "mnist", "--method", method, "--preset", "quick", "--batch", "4",
                "--width", "4", "--blocks", "1", "--steps", Integer.toString(steps), "--checkpoint-every", "0",
                "--sample-every", "0", "--device", "cpu", "--data-dir", data.toString(), "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void otfmAndConsistencyFmTrainOnImagesAndEvaluate() throws Exception {
        Path data = tmp.resolve("data");
        Cli.writeMnist(data.resolve("mnist"), 20, true);
        Cli.writeMnist(data.resolve("mnist"), 20, false);
        Path ot = tmp.resolve("ot"), cfm = tmp.resolve("cfm");
        Cli a = Cli.run(tinyImage(data, "otfm", 2, ot));
        assertEquals(0, a.rc, a.toString());
        // 4 steps: the second half runs consistency FM's stage 2 (boundary 0.9, model on the r side)
        Cli b = Cli.run(tinyImage(data, "cfm", 4, cfm));
        assertEquals(0, b.rc, b.toString());
        assertEquals("cfm", JSON.readTree(cfm.resolve("recipe.json").toFile()).path("method").asText());
        // its stages split at steps/2: a resumed run may not change the total
        Cli longer = Cli.run(tinyImage(data, "cfm", 6, cfm, "--resume", cfm.toString()));
        assertEquals(2, longer.rc, longer.toString());
        assertTrue(longer.err.contains("steps"), longer.err);

        Path metrics = tmp.resolve("metrics.json");
        Cli e = Cli.run("eval-image", "--run", ot.toString(), "--run", cfm.toString(), "--samples", "8", "--nfe", "2",
                "--dopri5-tol", "0", "--classifier-steps", "1", "--min-classifier-accuracy", "0", "--device", "cpu",
                "--data-dir", data.toString(), "--out", metrics.toString());
        assertEquals(0, e.rc, e.toString());
        String rows = JSON.readTree(metrics.toFile()).path("rows").toString();
        assertTrue(rows.contains("otfm:ot") && rows.contains("cfm:cfm"), rows);
    }

    @Test
    void aSyntheticConfigWithOnlyReductionReadsAsBothTermsAndNewOnesRecordBoth() throws Exception {
        Path run = tmp.resolve("old");
        var cfg = io.vrfm.flow.TrainConfig.paper2d(io.vrfm.flow.Method.VRFM, 0)
                .withReduction(new io.vrfm.flow.LossReduction(io.vrfm.flow.Reduction.MEAN, io.vrfm.flow.Reduction.SUM));
        Files.createDirectories(run);
        SingleRun.writeConfig(run, "synthetic-2d", cfg);
        assertEquals(cfg.reduction(), SingleRun.readConfig(run).config().reduction());
        com.fasterxml.jackson.databind.node.ObjectNode n =
                (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(run.resolve("config.json").toFile());
        assertEquals("mean", n.path("reduction").asText());
        assertEquals("sum", n.path("kl_reduction").asText());
        n.remove("kl_reduction");
        Files.writeString(run.resolve("config.json"), JSON.writeValueAsString(n));
        assertEquals(io.vrfm.flow.LossReduction.both(io.vrfm.flow.Reduction.MEAN),
                SingleRun.readConfig(run).config().reduction());
    }
}
