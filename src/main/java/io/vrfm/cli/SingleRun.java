package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrfm.backend.Backend;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.FlowLosses;
import io.vrfm.flow.FlowModel;
import io.vrfm.flow.Method;
import io.vrfm.flow.Reduction;
import io.vrfm.flow.TrainConfig;
import io.vrfm.io.AtomicFiles;
import io.vrfm.io.Checkpoint;
import io.vrfm.nn.PosteriorInput;
import io.vrfm.tensor.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** One trained model in a run directory ({@code train}): its {@code config.json} and {@code checkpoints/model.safetensors}. */
final class SingleRun {
    static final String CHECKPOINT = "checkpoints/model.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SingleRun() {
    }

    /** A task by name: synthetic-1d, synthetic-2d, or a 2-D toy (moons, 8gaussians, checkerboard). */
    static SyntheticData.Task task(String name) {
        switch (name) {
            case "synthetic-1d": return SyntheticData.oneD();
            case "synthetic-2d": return SyntheticData.twoD();
            case "moons": case "8gaussians": case "checkerboard": return SyntheticData.toy(name);
            default:
                throw new IllegalArgumentException("unknown task '" + name
                        + "' (synthetic-1d, synthetic-2d, moons, 8gaussians, checkerboard)");
        }
    }

    static void writeConfig(Path dir, String taskName, TrainConfig c) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("task", taskName);
        root.put("method", c.method().key());
        root.put("iters", c.iters());
        root.put("batch", c.batch());
        root.put("lr", c.lr());
        root.put("weight_decay", c.weightDecay());
        root.put("lambda", c.lambda());
        root.put("latent_dim", c.latentDim());
        root.put("posterior_inputs", PosteriorInput.format(c.posteriorInputs()));
        root.put("reduction", c.reduction().name().toLowerCase(Locale.ROOT));
        root.put("seed", c.seed());
        ObjectNode cfm = root.putObject("consistency");
        cfm.put("delta", c.consistency().delta());
        cfm.put("segments", c.consistency().segments());
        cfm.put("alpha", c.consistency().alpha());
        cfm.put("stage2_boundary", c.consistency().stage2Boundary());
        AtomicFiles.writeString(dir.resolve("config.json"), JSON.writeValueAsString(root));
    }

    record Loaded(String taskName, SyntheticData.Task task, TrainConfig config, FlowModel model, int step) {
    }

    /** Reads {@code config.json}, rebuilds the model and loads its checkpoint; one-line errors when missing. */
    static Loaded load(Backend be, Path dir) throws IOException {
        Path cfgFile = dir.resolve("config.json");
        if (!Files.isRegularFile(cfgFile)) {
            throw new IllegalArgumentException("no config.json in " + dir + " (is it a run directory written by 'train'?)");
        }
        Path ckpt = dir.resolve(CHECKPOINT);
        if (!Files.isRegularFile(ckpt)) {
            throw new IllegalArgumentException("missing checkpoint " + ckpt + " (train first, or --resume an interrupted run)");
        }
        JsonNode n = JSON.readTree(cfgFile.toFile());
        if (!n.has("method")) {
            throw new IllegalArgumentException(cfgFile + " has no 'method' (a reproduce directory? use its checkpoints via 'reproduce --resume')");
        }
        String taskName = n.get("task").asText();
        SyntheticData.Task task = task(taskName);
        TrainConfig c = new TrainConfig(Method.parse(n.get("method").asText()), n.get("iters").asInt(),
                n.get("batch").asInt(), (float) n.get("lr").asDouble(), (float) n.get("weight_decay").asDouble(),
                (float) n.get("lambda").asDouble(), n.get("latent_dim").asInt(),
                PosteriorInput.parse(n.get("posterior_inputs").asText()), Reduction.parse(n.get("reduction").asText()),
                new FlowLosses.ConsistencyConfig((float) n.path("consistency").path("delta").asDouble(1e-3),
                        n.path("consistency").path("segments").asInt(2),
                        (float) n.path("consistency").path("alpha").asDouble(1e-5),
                        (float) n.path("consistency").path("stage2_boundary").asDouble(0.9)),
                n.get("seed").asLong());
        FlowModel model = FlowModel.synthetic(be, new Rng(0), c.method(), task.dim(), c.latentDim(), c.posteriorInputs());
        int step = Checkpoint.load(ckpt, model, null, null);
        return new Loaded(taskName, task, c, model, step);
    }
}
