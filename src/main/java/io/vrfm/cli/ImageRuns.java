package io.vrfm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrfm.backend.Backend;
import io.vrfm.cli.plot.Plots;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ImageSampling;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.ImageTrainer;
import io.vrfm.io.AtomicFiles;
import io.vrfm.tensor.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An image training run in a run folder: {@code recipe.json}, {@code log.csv} (step, loss, recon, kl, grad norm,
 * lr, seconds), {@code checkpoints/step-NNNNNNN.safetensors} and {@code checkpoints/last.safetensors} (model, EMA,
 * optimizer, step, recipe), {@code samples/step-NNNNNNN.png} (EMA weights, Euler 20 steps, fixed noise).
 */
public final class ImageRuns {
    /** Indenting JSON that writes non-finite numbers as null (see {@link JsonFiles}). */
    static final ObjectMapper JSON = JsonFiles.MAPPER;

    /** recipe.json key beside the recipe: how many training images the run uses. */
    static final String TRAIN_IMAGES = "train_images";

    private ImageRuns() {
    }

    /**
     * Trains to {@code recipe.steps()} in {@code runDir} (checked by {@link RunDirectory} beforehand), continuing
     * from {@code runDir/checkpoints/last.safetensors} when {@code resume}; returns the trainer. Checkpoints every
     * {@code checkpointEvery} steps and always at the end (0 = only at the end).
     */
    public static ImageTrainer train(Backend be, ImageSet data, ImageRecipe recipe, Path runDir, boolean resume,
                                     String label) throws IOException {
        ImageTrainer trainer = new ImageTrainer(be, data, recipe);
        if (resume) {
            Path ck = runDir.resolve("checkpoints").resolve("last.safetensors");
            if (!Files.isRegularFile(ck)) {
                throw new IllegalArgumentException("--resume: no checkpoint at " + ck);
            }
            trainer.resume(ck);
            System.err.println(label + ": resumed from " + ck + " at step " + trainer.step());
        }
        Files.createDirectories(runDir.resolve("checkpoints"));
        if (recipe.sampleEvery() > 0) {
            Files.createDirectories(runDir.resolve("samples"));
        }
        Map<String, Object> record = new LinkedHashMap<>(recipe.toMap());
        record.put(TRAIN_IMAGES, data.count()); // --train-limit defines the run too
        AtomicFiles.writeString(runDir.resolve("recipe.json"), JSON.writeValueAsString(record));
        System.err.printf("%s: %s %s on %s (%d images %dx%dx%d%s), %,d parameters, %d steps of %d%n", label,
                recipe.model(), recipe.method().key(), data.name(), data.count(), data.channels(), data.height(),
                data.width(), recipe.hflip() ? ", random horizontal flips" : "", trainer.model().parameterCount(),
                recipe.steps(), recipe.batch());
        Path logCsv = runDir.resolve("log.csv");
        if (!Files.exists(logCsv) || !resume) {
            Files.writeString(logCsv, "step,loss,recon,kl,grad_norm,lr,seconds\n");
        }
        ProgressBar progress = new ProgressBar(label, recipe.steps());
        long t0 = System.nanoTime();
        StringBuilder pending = new StringBuilder();
        while (trainer.step() < recipe.steps()) {
            ImageTrainer.StepStats s = trainer.trainStep();
            int step = trainer.step();
            double secs = (System.nanoTime() - t0) / 1e9;
            pending.append(String.format("%d,%.6g,%.6g,%.6g,%.4g,%.4g,%.1f%n", step, s.total(), s.recon(), s.kl(),
                    s.gradNorm(), s.lr(), secs));
            progress.update(step, String.format("loss %.4f%s", s.total(),
                    Double.isNaN(s.kl()) ? "" : String.format(" kl %.3f", s.kl())));
            boolean last = step == recipe.steps();
            if (last || (recipe.checkpointEvery() > 0 && step % recipe.checkpointEvery() == 0)) {
                Files.writeString(logCsv, pending, java.nio.file.StandardOpenOption.APPEND);
                pending.setLength(0);
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("dataset", data.name());
                trainer.save(runDir.resolve("checkpoints").resolve(String.format("step-%07d.safetensors", step)), meta);
                trainer.save(runDir.resolve("checkpoints").resolve("last.safetensors"), meta);
            }
            if (recipe.sampleEvery() > 0 && (step % recipe.sampleEvery() == 0 || last)) {
                sampleGrid(be, trainer, data, runDir.resolve("samples").resolve(String.format("step-%07d.png", step)), 36, 20);
            }
        }
        if (pending.length() > 0) {
            Files.writeString(logCsv, pending, java.nio.file.StandardOpenOption.APPEND);
        }
        return trainer;
    }

    /**
     * A grid of {@code n} EMA samples (Euler, {@code steps}), fixed noise seed 1234 so grids compare across steps;
     * for a class-conditional run one row per class instead (conditional field, no guidance).
     */
    public static void sampleGrid(Backend be, ImageTrainer trainer, ImageSet data, Path png, int n, int steps)
            throws IOException {
        if (trainer.recipe().classCond()) {
            classGrid(be, trainer, data.classCount(), Math.max(1, n / Math.max(1, data.classCount())), 1f, steps, png);
            return;
        }
        int[] chw = {data.channels(), data.height(), data.width()};
        float[] px = trainer.withEma(() -> ImageSampling.generate(be, trainer.model().velocity(), n, chw,
                ImageSampling.SamplerSpec.euler(steps), new Rng(1234), n).images().clamp(-1f, 1f).toArray());
        Plots.imageGrid(png, px, n, chw[0], chw[1], chw[2], (int) Math.ceil(Math.sqrt(n)), 2);
    }

    /**
     * A grid of EMA samples of a class-conditional model with one row of {@code perRow} samples per class, guided with
     * {@code cfg} (1 = the conditional field), Euler with {@code steps}; fixed noise seed 1234.
     */
    public static void classGrid(Backend be, ImageTrainer trainer, int classes, int perRow, float cfg, int steps,
                                 Path png) throws IOException {
        int[] chw = trainer.imageShape();
        int n = classes * perRow;
        ImageSampling.Conditioning cond = ImageSampling.Conditioning.rows(classes, perRow, cfg);
        float[] px = trainer.withEma(() -> ImageSampling.generate(be, trainer.model().velocity(), n, chw,
                ImageSampling.SamplerSpec.euler(steps), new Rng(1234), n, cond).images().clamp(-1f, 1f).toArray());
        Plots.imageGrid(png, px, n, chw[0], chw[1], chw[2], perRow, 2);
    }
}
