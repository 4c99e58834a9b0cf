package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** reproduce-image mnist --methods: OT-FM and consistency FM beside (or instead of) RFM and V-RFM; --nfe, --dopri5-tol. */
class ReproduceImageMethodsTest {
    @TempDir
    Path tmp;

    @Test
    void defaultIsRfmAndVrfmAndTheListIsChecked() {
        assertEquals(List.of(io.vrfm.flow.Method.RFM, io.vrfm.flow.Method.VRFM), ImageReproduceCommand.methodsChecked(null));
        assertEquals(List.of(io.vrfm.flow.Method.OTFM, io.vrfm.flow.Method.RFM),
                ImageReproduceCommand.methodsChecked(List.of("otfm", "rfm", "ot-fm")));
        Cli bad = Cli.run("reproduce-image", "mnist", "--quick", "--methods", "rfm,dfm", "--device", "cpu",
                "--data-dir", tmp.toString(), "--out", tmp.resolve("bad").toString());
        assertEquals(2, bad.rc, bad.toString());
        assertTrue(bad.err.contains("--methods") && bad.err.contains("dfm") && bad.err.contains("otfm"), bad.err);
        assertEquals(1, bad.err.strip().lines().count(), bad.err);
        Cli sit = Cli.run("reproduce-image", "sit-fashion", "--quick", "--methods", "rfm", "--device", "cpu",
                "--data-dir", tmp.toString(), "--out", tmp.resolve("sit").toString());
        assertEquals(2, sit.rc, sit.toString());
        assertTrue(sit.err.contains("drop --methods"), sit.err);
    }

    /** One model (the other methods take the same path through the command; their training is tested elsewhere). */
    @Test
    void otfmTrainsAndIsScoredWithoutTheDefaultModels() throws Exception {
        Path data = tmp.resolve("data");
        Cli.writeMnist(data.resolve("mnist"), 40, true);
        Cli.writeMnist(data.resolve("mnist"), 20, false);
        Path out = tmp.resolve("rep");
        Cli r = Cli.run("reproduce-image", "mnist", "--quick", "--methods", "otfm", "--steps", "2",
                "--eval-samples", "10", "--nfe", "2", "--dopri5-tol", "0", "--classifier-steps", "2", "--device", "cpu",
                "--data-dir", data.toString(), "--out", out.toString());
        assertEquals(0, r.rc, r.toString());
        JsonNode m = ImageRuns.JSON.readTree(out.resolve("metrics.json").toFile());
        Set<String> models = new TreeSet<>();
        for (JsonNode row : m.path("rows")) {
            models.add(row.path("model").asText());
            assertTrue(row.path(m.path("metric").asText()).isNumber(), row.toString());
            assertEquals("euler-2", row.path("sampler").asText(), "--nfe 2 --dopri5-tol 0: one sampler");
        }
        assertEquals(Set.of("otfm"), models);
        assertEquals(Set.of("otfm"), fieldNames(m.path("recipes")));
        assertEquals("otfm", m.path("recipes").path("otfm").path("method").asText());
        for (String k : models) {
            assertTrue(Files.isRegularFile(out.resolve(k).resolve("checkpoints/last.safetensors")), k);
            assertTrue(Files.isRegularFile(out.resolve("samples-" + k + ".png")), k);
        }
        assertFalse(Files.exists(out.resolve("manifold.png")), "no latent figures without vrfm");
        assertTrue(r.out.contains("otfm") && r.out.contains("no latent figures"), r.out);
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }
}
