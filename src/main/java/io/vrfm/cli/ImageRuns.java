package io.vrfm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrfm.backend.Backend;
import io.vrfm.cli.plot.Plots;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ImageSampling;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.ImageTrainer;
import io.vrfm.io.AtomicFiles;
import io.vrfm.nn.ClassifierFreeGuidance;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

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

    /** recipe.json key: the {@code [C, H, W]} of the training images (so sampling needs no data set). */
    static final String IMAGE_SHAPE = "image_shape";

    /** recipe.json key: the data set's class count. */
    static final String CLASSES = "classes";

    /** The layout of the one-class, z-varied figure, as written beside it and into metrics.json. */
    static final String VARY_Z_LAYOUT = "rows share x0 (one source image per row), columns share z (one latent per column)";

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
        boolean grids = recipe.sampleEvery() > 0 && drawable(data.channels());
        if (recipe.sampleEvery() > 0 && !grids) {
            System.err.println(label + ": no sample grids during training: " + data.channels() + "-channel data (latents)"
                    + " cannot be drawn as images");
        }
        if (grids) {
            Files.createDirectories(runDir.resolve("samples"));
        }
        Map<String, Object> record = new LinkedHashMap<>(recipe.toMap());
        record.put(TRAIN_IMAGES, data.count()); // --train-limit defines the run too
        record.put(IMAGE_SHAPE, new int[]{data.channels(), data.height(), data.width()});
        record.put(CLASSES, data.classCount());
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
            pending.append(String.format(java.util.Locale.ROOT, "%d,%.6g,%.6g,%.6g,%.4g,%.4g,%.1f%n", step,
                    s.total(), s.recon(), s.kl(), s.gradNorm(), s.lr(), secs));
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
            if (grids && (step % recipe.sampleEvery() == 0 || last)) {
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
        classGrid(be, trainer, classes, perRow, cfg, ClassifierFreeGuidance.Channels.ALL, steps, png);
    }

    /** As {@link #classGrid(Backend, ImageTrainer, int, int, float, int, Path)}, guiding {@code channels}. */
    public static void classGrid(Backend be, ImageTrainer trainer, int classes, int perRow, float cfg,
                                 ClassifierFreeGuidance.Channels channels, int steps, Path png) throws IOException {
        int[] chw = trainer.imageShape();
        if (!drawable(chw[0])) {
            System.err.println("no sample grid " + png.getFileName() + ": " + chw[0] + "-channel samples (latents) cannot"
                    + " be drawn as images");
            return;
        }
        int n = classes * perRow;
        ImageSampling.Conditioning cond = ImageSampling.Conditioning.rows(classes, perRow, cfg).withChannels(channels);
        float[] px = trainer.withEma(() -> ImageSampling.generate(be, trainer.model().velocity(), n, chw,
                ImageSampling.SamplerSpec.euler(steps), new Rng(1234), n, cond).images().clamp(-1f, 1f).toArray());
        Plots.imageGrid(png, px, n, chw[0], chw[1], chw[2], perRow, 2);
    }

    /** Whether images of {@code channels} channels can be drawn (grayscale or RGB). */
    static boolean drawable(int channels) {
        return channels == 1 || channels == 3;
    }

    /**
     * One class with {@code z} varied, for a V-RFM model: a {@code rows × cols} grid where row {@code r} starts every
     * sample from one source image {@code x0_r} and column {@code c} gives every sample one latent {@code z_c}
     * ({@link #VARY_Z_LAYOUT}); sample {@code r·cols + c} has {@code (x0_r, z_c)}, all of the class {@code cond}
     * requests (null: an unconditional model), guided as {@code cond} says. {@code x0} ({@code [rows, C, H, W]}) then
     * {@code z} ({@code [cols, d]}) are drawn from {@code rng}; an ODE sampler integrates all at once; values in [-1, 1].
     */
    static float[] varyZ(Backend be, VelocityField field, ImageSampling.Conditioning cond, int rows, int cols,
                         int[] chw, ImageSampling.SamplerSpec spec, Rng rng) {
        int d = field.latentDim();
        if (d == 0) {
            throw new IllegalArgumentException("--vary-z needs a V-RFM model (a latent z): this run is rfm");
        }
        if (spec.sampler().equals("sit-sde")) {
            throw new IllegalArgumentException("--vary-z needs an ODE sampler (euler or dopri5): the SDE's noise would"
                    + " vary the samples too");
        }
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("--rows and --cols must be >= 1, got " + rows + " and " + cols);
        }
        int per = chw[0] * chw[1] * chw[2], n = rows * cols;
        float[] x0 = Tensor.randn(be, rng, rows, chw[0], chw[1], chw[2]).toArray();
        float[] z = Tensor.randn(be, rng, cols, d).toArray();
        float[] xs = new float[n * per], zs = new float[n * d];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int k = r * cols + c;
                System.arraycopy(x0, r * per, xs, k * per, per);
                System.arraycopy(z, c * d, zs, k * d, d);
            }
        }
        try (GradMode.Scope g = GradMode.noGrad()) {
            VelocityField f = cond == null ? field : cond.field(field, be, 0, n);
            return ImageSampling.integrate(f, Tensor.of(be, xs, n, chw[0], chw[1], chw[2]), Tensor.of(be, zs, n, d), spec)
                    .x().clamp(-1f, 1f).toArray();
        }
    }

    /**
     * {@link #varyZ} with the EMA weights of a trained class-conditional V-SiT (or any V-RFM run), written as a PNG
     * of {@code rows × cols} images; returns the figure's description for metrics.json.
     */
    static Map<String, Object> varyZGrid(Backend be, ImageTrainer trainer, ImageSampling.Conditioning cond, int rows,
                                         int cols, ImageSampling.SamplerSpec spec, long seed, Path png) throws IOException {
        int[] chw = trainer.imageShape();
        if (!drawable(chw[0])) {
            throw new IllegalArgumentException("--vary-z draws images; " + chw[0] + "-channel samples (latents) need"
                    + " the VAE decoder, which is not part of the engine");
        }
        float[] px = trainer.withEma(() -> varyZ(be, trainer.model().velocity(), cond, rows, cols, chw, spec, new Rng(seed)));
        Plots.imageGrid(png, px, rows * cols, chw[0], chw[1], chw[2], cols, 2);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", png.getFileName().toString());
        m.put("layout", VARY_Z_LAYOUT);
        m.put("rows", rows);
        m.put("cols", cols);
        if (cond != null) {
            m.put("class", cond.classOf(0));
            m.put("cfg", cond.scale());
            m.put("cfg_channels", cond.channels().key());
        }
        m.put("sampler", spec.label());
        m.put("seed", seed);
        return m;
    }
}
