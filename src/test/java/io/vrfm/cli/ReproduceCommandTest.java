package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReproduceCommandTest {
    @Test
    void tinySynthetic1dRunWritesMetricsAndPlots(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        int rc = Main.execute("reproduce", "synthetic-1d", "--quick", "--iters", "20", "--batch", "64",
                "--eval-samples", "200", "--device", "cpu", "--out", out.toString());
        assertEquals(0, rc);
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        for (String model : new String[]{"rfm", "vrfm", "cfm"}) {
            JsonNode mn = m.path("models").path(model);
            for (String setting : new String[]{"euler_1", "euler_2", "euler_4", "euler_5", "euler_8", "euler_10",
                    "euler_16", "euler_20", "dopri5"}) {
                for (String metric : new String[]{"true_ll", "parzen_ll", "w1", "nfe"}) {
                    JsonNode e = mn.path(setting).path(metric);
                    assertTrue(e.has("mean") && e.has("std") && e.path("per_seed").isArray(),
                            model + "/" + setting + "/" + metric + " in " + mn);
                }
            }
            assertEquals(5.0, mn.path("euler_5").path("nfe").path("mean").asDouble());
        }
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/vrfm-seed0.safetensors")));
        for (String png : new String[]{"ambiguity.png", "samples_euler2.png", "trajectories_vrfm.png",
                "velocity_hist_x0_t0.50.png", "metric_true_ll.png"}) {
            Path p = out.resolve("plots").resolve(png);
            assertTrue(Files.isRegularFile(p) && Files.size(p) > 1000, "missing plot " + p);
        }
        // a second run into the same directory is refused, naming both ways out
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int rc2;
        try {
            System.setErr(new PrintStream(err, true));
            rc2 = Main.execute("reproduce", "synthetic-1d", "--quick", "--iters", "1", "--out", out.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, rc2);
        String msg = err.toString();
        assertTrue(msg.contains("--resume") && msg.contains("--force"), msg);
        // --resume reuses the finished checkpoints
        assertEquals(0, Main.execute("reproduce", "synthetic-1d", "--quick", "--iters", "20", "--batch", "64",
                "--eval-samples", "200", "--methods", "rfm", "--device", "cpu", "--out", out.toString(), "--resume"));
    }

    /** {@code eval} of a model that {@code reproduce} trained reports the numbers {@code reproduce} reported. */
    @Test
    void evalOfAReproducedModelMatchesReproduce(@TempDir Path tmp) throws Exception {
        Path rep = tmp.resolve("rep");
        assertEquals(0, Main.execute("reproduce", "synthetic-2d", "--quick", "--iters", "20", "--batch", "64",
                "--eval-samples", "50", "--methods", "vrfm", "--device", "cpu", "--out", rep.toString()));
        // the same checkpoint as a 'train' run directory
        Path run = tmp.resolve("run");
        Files.createDirectories(run.resolve("checkpoints"));
        var cfg = io.vrfm.eval.SyntheticEvaluation.forExperiment("synthetic-2d", true).base().withIters(20).withBatch(64)
                .withMethod(io.vrfm.flow.Method.VRFM).withSeed(0);
        SingleRun.writeConfig(run, "synthetic-2d", cfg);
        Files.copy(rep.resolve("checkpoints/vrfm-seed0.safetensors"), run.resolve(SingleRun.CHECKPOINT));
        assertEquals(0, Main.execute("eval", "--run", run.toString(), "--n", "50", "--ll-samples", "0",
                "--device", "cpu"));
        ObjectMapper json = new ObjectMapper();
        JsonNode r = json.readTree(rep.resolve("metrics.json").toFile()).path("models").path("vrfm");
        JsonNode e = json.readTree(run.resolve("metrics.json").toFile()).path("models").path("vrfm");
        for (String setting : new String[]{"euler_1", "euler_2", "euler_8", "dopri5"}) {
            for (String metric : new String[]{"true_ll", "parzen_ll", "w1", "nfe"}) {
                assertEquals(r.path(setting).path(metric).path("mean").asDouble(), e.path(setting).path(metric).asDouble(),
                        0.0, setting + "/" + metric);
            }
        }
    }

    @Test
    void badInputGivesOneLineErrors(@TempDir Path tmp) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        try {
            System.setErr(new PrintStream(err, true));
            assertEquals(2, Main.execute("reproduce", "synthetic-3d", "--out", tmp.resolve("a").toString()));
            assertEquals(2, Main.execute("train", "--posterior-inputs", "x0,x9", "--out", tmp.resolve("b").toString()));
            assertEquals(2, Main.execute("sample", "--run", tmp.resolve("nothing").toString()));
        } finally {
            System.setErr(old);
        }
        String[] lines = java.util.Arrays.stream(err.toString().strip().split("\n"))
                .filter(l -> l.startsWith("error:")).toArray(String[]::new);
        assertEquals(3, lines.length, err.toString());
        assertTrue(lines[0].contains("unknown experiment 'synthetic-3d'"), lines[0]);
        assertTrue(lines[1].contains("posterior input 'x9'"), lines[1]);
        assertTrue(lines[2].contains("no config.json"), lines[2]);
        assertFalse(err.toString().contains("Exception"));
    }

    @Test
    void trainSampleEvalRoundTrip(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("t");
        assertEquals(0, Main.execute("train", "--task", "synthetic-2d", "--method", "vrfm", "--iters", "10",
                "--batch", "32", "--device", "cpu", "--out", run.toString()));
        assertEquals(0, Main.execute("sample", "--run", run.toString(), "--sampler", "heun", "--steps", "4",
                "--n", "100", "--device", "cpu"));
        assertTrue(Files.isRegularFile(run.resolve("samples-heun4.csv")));
        assertEquals(0, Main.execute("sample", "--run", run.toString(), "--sampler", "em", "--steps", "5",
                "--n", "50", "--device", "cpu"));
        assertEquals(0, Main.execute("eval", "--run", run.toString(), "--n", "100", "--ll-samples", "20", "--ll-draws", "4", "--device", "cpu"));
        JsonNode m = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
        assertTrue(m.path("models").path("vrfm").path("dopri5").has("nfe"));
        assertTrue(m.path("models").path("vrfm").has("model_ll"));
        assertTrue(m.path("models").path("vrfm").path("model_ll_kind").asText().startsWith("marginal"),
                m.path("models").path("vrfm").toString());
        assertEquals(4, m.path("models").path("vrfm").path("model_ll_draws").asInt());
    }
}
