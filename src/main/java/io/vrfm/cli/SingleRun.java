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
        AtomicFiles.writeString(dir.resolve("config.json"), JSON.writeValueAsString(configJson(taskName, c)));
    }

    /** What config.json records: everything that defines the run. */
    static ObjectNode configJson(String taskName, TrainConfig c) {
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
        root.put("reduction", c.reduction().recon().name().toLowerCase(Locale.ROOT));
        root.put("kl_reduction", c.reduction().kl().name().toLowerCase(Locale.ROOT));
        root.put("seed", c.seed());
        ObjectNode cfm = root.putObject("consistency");
        cfm.put("delta", c.consistency().delta());
        cfm.put("segments", c.consistency().segments());
        cfm.put("alpha", c.consistency().alpha());
        cfm.put("stage2_boundary", c.consistency().stage2Boundary());
        return root;
    }

    /**
     * {@code reduction} (the reconstruction's) and {@code kl_reduction}; a config written before the two were separate
     * has only {@code reduction}, which then applies to both terms as it did.
     */
    static io.vrfm.flow.LossReduction reductionOf(JsonNode n) {
        Reduction recon = Reduction.parse(n.get("reduction").asText());
        JsonNode kl = n.get("kl_reduction");
        return new io.vrfm.flow.LossReduction(recon, kl == null || kl.isNull() ? recon : Reduction.parse(kl.asText()));
    }

    /** A run's recorded task and configuration. */
    record Stored(String taskName, TrainConfig config) {
    }

    /** Reads {@code config.json}: one-line errors naming the file for invalid JSON, missing keys or bad values. */
    static Stored readConfig(Path dir) throws IOException {
        Path cfgFile = dir.resolve("config.json");
        if (!Files.isRegularFile(cfgFile)) {
            throw new IllegalArgumentException("no config.json in " + dir + " (is it a run directory written by 'train'?)");
        }
        JsonNode n;
        try {
            n = JSON.readTree(cfgFile.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(cfgFile + " is not valid JSON (" + e.getOriginalMessage()
                    .replaceAll("\\s+", " ") + "); restore it or retrain");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(cfgFile + " is not a JSON object; restore it or retrain");
        }
        if (!n.has("method") && n.has("experiment")) {
            throw new IllegalArgumentException(cfgFile + " has no 'method' (a reproduce directory? use its checkpoints via 'reproduce --resume')");
        }
        for (String k : new String[]{"task", "method", "iters", "batch", "lr", "weight_decay", "lambda", "latent_dim",
                "posterior_inputs", "reduction", "seed"}) {
            if (!n.hasNonNull(k)) {
                throw new IllegalArgumentException(cfgFile + " has no '" + k + "'; restore it or retrain");
            }
        }
        try {
            String taskName = n.get("task").asText();
            task(taskName);
            TrainConfig c = new TrainConfig(Method.parse(n.get("method").asText()), n.get("iters").asInt(),
                    n.get("batch").asInt(), (float) n.get("lr").asDouble(), (float) n.get("weight_decay").asDouble(),
                    (float) n.get("lambda").asDouble(), n.get("latent_dim").asInt(),
                    PosteriorInput.parse(n.get("posterior_inputs").asText()), reductionOf(n),
                    new FlowLosses.ConsistencyConfig((float) n.path("consistency").path("delta").asDouble(1e-3),
                            n.path("consistency").path("segments").asInt(2),
                            (float) n.path("consistency").path("alpha").asDouble(1e-5),
                            (float) n.path("consistency").path("stage2_boundary").asDouble(0.9)),
                    n.get("seed").asLong());
            return new Stored(taskName, c);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(cfgFile + ": " + e.getMessage());
        }
    }

    record Loaded(String taskName, SyntheticData.Task task, TrainConfig config, FlowModel model, int step) {
    }

    /** Reads {@code config.json}, rebuilds the model and loads its checkpoint; one-line errors when missing. */
    static Loaded load(Backend be, Path dir) throws IOException {
        Stored st = readConfig(dir);
        Path ckpt = dir.resolve(CHECKPOINT);
        if (!Files.isRegularFile(ckpt)) {
            throw new IllegalArgumentException("missing checkpoint " + ckpt + " (train first, or --resume an interrupted run)");
        }
        TrainConfig c = st.config();
        SyntheticData.Task task = task(st.taskName());
        FlowModel model = FlowModel.synthetic(be, new Rng(0), c.method(), task.dim(), c.latentDim(), c.posteriorInputs());
        int step = Checkpoint.load(ckpt, model, null, null);
        return new Loaded(st.taskName(), task, c, model, step);
    }
}
