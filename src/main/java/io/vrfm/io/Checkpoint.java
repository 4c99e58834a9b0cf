package io.vrfm.io;

import io.vrfm.nn.Module;
import io.vrfm.optim.AdamW;
import io.vrfm.optim.Ema;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint in one safetensors file: the model's parameters under their own names (so the file loads
 * as a plain state dict), plus {@code ema.*}, {@code optim.m.*}, {@code optim.v.*} and the step in the metadata.
 */
public final class Checkpoint {
    public static final String EMA = "ema.";
    public static final String OPTIM = "optim.";

    private Checkpoint() {
    }

    /**
     * Writes model, EMA and optimizer state atomically. A tensor with NaN or infinite values aborts the save with a
     * {@link NonFiniteTensorException} and leaves any earlier file at {@code path} untouched.
     */
    public static void save(Path path, Module model, AdamW optimizer, Ema ema, int step, Map<String, String> meta)
            throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>(model.namedParameters());
        if (ema != null) {
            ema.shadow().forEach((k, t) -> all.put(EMA + k, t));
        }
        if (optimizer != null) {
            optimizer.state().forEach((k, t) -> all.put(OPTIM + k, t));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        if (meta != null) {
            metadata.putAll(meta);
        }
        metadata.put("step", Integer.toString(step));
        metadata.put("format", "vrfm4j-checkpoint-1");
        SafeTensors.write(path, all, metadata, true);
    }

    /**
     * Loads a checkpoint (or a plain state dict) into the model, and into the EMA/optimizer when both the file and
     * the caller have them. Returns the step stored in the file (0 for a plain state dict). A file holding NaN or
     * infinite values is refused with a {@link NonFiniteTensorException} naming the tensor.
     */
    public static int load(Path path, Module model, AdamW optimizer, Ema ema) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(path);
        for (Map.Entry<String, SafeTensors.Entry> e : c.tensors().entrySet()) {
            SafeTensors.requireFinite(e.getValue().data(), "checkpoint " + path + ": tensor '" + e.getKey() + "'",
                    "the run diverged; it cannot be used (retrain, or resume from an earlier checkpoint)");
        }
        Map<String, SafeTensors.Entry> modelPart = new LinkedHashMap<>();
        Map<String, SafeTensors.Entry> emaPart = new LinkedHashMap<>();
        Map<String, SafeTensors.Entry> optimPart = new LinkedHashMap<>();
        c.tensors().forEach((k, e) -> {
            if (k.startsWith(EMA)) {
                emaPart.put(k.substring(EMA.length()), e);
            } else if (k.startsWith(OPTIM)) {
                optimPart.put(k.substring(OPTIM.length()), e);
            } else {
                modelPart.put(k, e);
            }
        });
        SafeTensors.loadInto(model.namedParameters(), modelPart, "checkpoint " + path);
        if (ema != null && !emaPart.isEmpty()) {
            SafeTensors.loadInto(ema.shadow(), emaPart, "EMA weights in " + path);
        }
        int step;
        try {
            step = Integer.parseInt(c.metadata().getOrDefault("step", "0"));
        } catch (NumberFormatException e) {
            throw new SafeTensorsException("checkpoint " + path + " has a non-integer step '" + c.metadata().get("step") + "'");
        }
        if (optimizer != null && !optimPart.isEmpty()) {
            SafeTensors.loadInto(optimizer.state(), optimPart, "optimizer state in " + path);
            optimizer.setStepCount(step);
        }
        return step;
    }

    public static Map<String, String> metadata(Path path) throws IOException {
        return SafeTensors.read(path).metadata();
    }
}
