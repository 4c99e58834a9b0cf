package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vrfm.backend.Backend;
import io.vrfm.cli.plot.Plots;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ImageSampling;
import io.vrfm.eval.ImageSampling.SamplerSpec;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.ImageTrainer;
import io.vrfm.io.AtomicFiles;
import io.vrfm.io.LatentDataset;
import io.vrfm.data.NpyFile;
import io.vrfm.nn.ClassifierFreeGuidance;
import io.vrfm.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sample-image --run DIR}: a PNG grid of EMA samples of a trained image run, with the settings written beside
 * it ({@code NAME.json}). Class-conditional runs: one row per class, or only {@code --class K}, guided by
 * {@code --cfg} on {@code --cfg-channels}. {@code --vary-z} (V-RFM runs): one class with {@code z} varied — every row
 * shares one source {@code x0}, every column one latent {@code z}.
 */
@Command(name = "sample-image", mixinStandardHelpOptions = true,
        description = {"Sample a trained image run (train-image run folder) into a PNG grid, settings in NAME.json beside it.",
                "--vary-z (V-RFM): one class with z varied; rows share x0, columns share z."})
public final class SampleImageCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run folder of train-image (or a model folder of reproduce-image)") Path run;
    @Option(names = "--class", description = "class-conditional runs: sample only this class (default: one row per class;"
            + " needed by --vary-z on a class-conditional run)") Integer onlyClass;
    @Option(names = "--cfg", defaultValue = "1", description = "class-conditional runs: classifier-free guidance scale; 1 ="
            + " the conditional field, 0 = the unconditional one; the paper samples with 1.5 (default: ${DEFAULT-VALUE})") float cfg;
    @Option(names = "--cfg-channels", defaultValue = "all", description = "channels guidance applies to: all, or"
            + " first-three (SiT's released sampling rule; the same for images of up to 3 channels) (default: ${DEFAULT-VALUE})")
    String cfgChannels;
    @Option(names = "--vary-z", description = "V-RFM runs: one class with z varied (rows share x0, columns share z) (default: off)") boolean varyZ;
    @Option(names = "--rows", defaultValue = "8", description = "grid rows; one per class when class-conditional without"
            + " --class and without --vary-z (default: ${DEFAULT-VALUE})") int rows;
    @Option(names = "--cols", defaultValue = "8", description = "grid columns (default: ${DEFAULT-VALUE})") int cols;
    @Option(names = "--sampler", defaultValue = "euler", description = "euler, dopri5 or sit-sde (SiT's SDE sampler; not"
            + " with --vary-z) (default: ${DEFAULT-VALUE})") String sampler;
    @Option(names = "--steps", defaultValue = "20", description = "steps of euler and sit-sde (default: ${DEFAULT-VALUE})") int steps;
    @Option(names = "--dopri5-tol", defaultValue = "1e-5", description = "rtol = atol of dopri5 (default: ${DEFAULT-VALUE})") double tol;
    @Option(names = "--seed", defaultValue = "1234", description = "seed of x0 and z (default: ${DEFAULT-VALUE}, the grids of reproduce-image)") long seed;
    @Option(names = "--out", description = "PNG file (default: RUN/samples-<settings>.png or RUN/vary-z-by-column-<settings>.png)") Path out;
    @Option(names = "--data-dir", defaultValue = "data", description = "data folder, read only for runs whose recipe.json"
            + " predates image_shape (default: ${DEFAULT-VALUE})") Path dataDir;
    @Mixin DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        ClassifierFreeGuidance.Channels channels = ClassifierFreeGuidance.Channels.parse(cfgChannels);
        if (!Float.isFinite(cfg)) throw new IllegalArgumentException("--cfg must be a finite number, got " + cfg);
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (!(tol > 0)) throw new IllegalArgumentException("--dopri5-tol must be > 0, got " + tol);
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("--rows and --cols must be >= 1, got " + rows + " and " + cols);
        SamplerSpec spec;
        switch (sampler) {
            case "euler": spec = SamplerSpec.euler(steps); break;
            case "dopri5": spec = SamplerSpec.dopri5(tol); break;
            case "sit-sde": spec = SamplerSpec.sitSde(steps); break;
            default: throw new IllegalArgumentException("--sampler must be euler, dopri5 or sit-sde, got '" + sampler + "'");
        }
        Path ck = run.resolve("checkpoints").resolve("last.safetensors");
        if (!Files.isRegularFile(ck)) {
            throw new IllegalArgumentException("sample-image: " + run + " has no checkpoints/last.safetensors");
        }
        ImageRecipe r = ImageTrainCommand.readRecipe(run);
        Backend be = device.open();
        ImageTrainer tr = new ImageTrainer(be, shapeOf(run, r), r);
        tr.resume(ck);
        int[] chw = tr.imageShape();
        boolean npy = out != null && out.getFileName() != null && out.getFileName().toString().endsWith(".npy");
        if (!npy && !ImageRuns.drawable(chw[0])) {
            throw new IllegalArgumentException("sample-image draws images; " + chw[0] + "-channel samples (latents) need"
                    + " the VAE decoder, which is not part of the engine: write them with --out FILE.npy and decode elsewhere");
        }
        if (npy && varyZ) {
            throw new IllegalArgumentException("sample-image: --vary-z draws a PNG figure; drop --vary-z or give --out FILE.png");
        }
        int classes = tr.classCount();
        boolean cond = r.classCond();
        if (!cond && (onlyClass != null || cfg != 1f || channels != ClassifierFreeGuidance.Channels.ALL)) {
            throw new IllegalArgumentException("sample-image: --class, --cfg and --cfg-channels need a class-conditional"
                    + " run (train-image --class-cond); " + run + " is unconditional");
        }
        if (onlyClass != null && (onlyClass < 0 || onlyClass >= classes)) {
            throw new IllegalArgumentException("sample-image: --class " + onlyClass + " is not a class of the run (0.."
                    + (classes - 1) + ")");
        }
        if (varyZ && cond && onlyClass == null) {
            throw new IllegalArgumentException("sample-image --vary-z: give --class K (the figure is one class with z varied)");
        }
        String guided = cond ? String.format(Locale.ROOT, "-cfg%.2f%s", cfg,
                channels == ClassifierFreeGuidance.Channels.ALL ? "" : "-first-three") : "";
        String what = (onlyClass != null ? "-class" + onlyClass : "") + guided + "-" + spec.label();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("run", run.toString());
        Path png;
        if (varyZ) {
            Sizes.requireFits("--rows × --cols", (long) rows * cols, (long) chw[0] * chw[1] * chw[2],
                    (long) chw[0] * chw[1] * chw[2] * 4L);
            png = out != null ? out : run.resolve("vary-z-by-column" + what + ".png");
            ImageSampling.Conditioning c = cond
                    ? ImageSampling.Conditioning.single(onlyClass, cfg).withChannels(channels) : null;
            info.putAll(ImageRuns.varyZGrid(be, tr, c, rows, cols, spec, seed, png));
        } else {
            png = out != null ? out : run.resolve("samples" + what + ".png");
            ImageSampling.Conditioning c = null;
            int gridRows = rows;
            if (cond && onlyClass == null) {
                gridRows = classes;
                c = ImageSampling.Conditioning.rows(classes, cols, cfg).withChannels(channels);
                info.put("layout", "one row per class (class r in row r)");
            } else if (cond) {
                c = ImageSampling.Conditioning.single(onlyClass, cfg).withChannels(channels);
                info.put("class", onlyClass);
            }
            Sizes.requireFits(gridRows == rows ? "--rows × --cols" : "--cols (one row per class)",
                    (long) gridRows * cols, (long) chw[0] * chw[1] * chw[2], (long) chw[0] * chw[1] * chw[2] * 4L);
            int n = gridRows * cols;
            ImageSampling.Conditioning cc = c;
            ImageSampling.Generated g = tr.withEma(() -> ImageSampling.generate(be, tr.model().velocity(), n, chw, spec,
                    new Rng(seed), Math.min(n, 256), cc));
            if (npy) {
                // latents (or images) as they come out of the sampler, unclamped, for a decoder elsewhere
                NpyFile.writeFloats(png, new int[]{n, chw[0], chw[1], chw[2]}, g.images().toArray());
                if (cc != null) {
                    long[] labels = new long[n];
                    for (int i = 0; i < n; i++) labels[i] = cc.classOf(i);
                    Path lab = png.resolveSibling(stem(png) + "-labels.npy");
                    NpyFile.writeIntegers(lab, labels);
                    info.put("labels_file", lab.getFileName().toString());
                }
                info.put("format", "npy float32 " + n + "x" + chw[0] + "x" + chw[1] + "x" + chw[2] + ", unclamped");
            } else {
                Plots.imageGrid(png, g.images().clamp(-1f, 1f).toArray(), n, chw[0], chw[1], chw[2], cols, 2);
            }
            info.put("file", png.getFileName() == null ? png.toString() : png.getFileName().toString());
            info.put("rows", gridRows);
            info.put("cols", cols);
            if (cond) {
                info.put("cfg", cfg);
                info.put("cfg_channels", channels.key());
            }
            info.put("sampler", spec.label());
            info.put("nfe", g.meanNfe());
            info.put("seed", seed);
        }
        Path json = png.resolveSibling(stem(png) + ".json");
        AtomicFiles.writeString(json, ImageRuns.JSON.writeValueAsString(info));
        System.out.println("sample-image: " + png + " (" + info.getOrDefault("layout", rows + "×" + cols) + "); settings in " + json);
        return 0;
    }

    /** An empty image set of the run's shape and class count: from recipe.json, else from the data set. */
    static ImageSet shapeOf(Path run, ImageRecipe r, Path dataDir) throws java.io.IOException {
        JsonNode rec = ImageRuns.JSON.readTree(run.resolve("recipe.json").toFile());
        JsonNode shape = rec.get(ImageRuns.IMAGE_SHAPE), k = rec.get(ImageRuns.CLASSES);
        if (shape != null && shape.isArray() && shape.size() == 3 && k != null && k.canConvertToInt()) {
            return new ImageSet(r.dataset() + "-shape", 0, shape.get(0).asInt(), shape.get(1).asInt(),
                    shape.get(2).asInt(), new float[0], new int[0], k.asInt());
        }
        ImageSet probe = ImageData.load(r.dataset(), dataDir, LatentDataset.isSpec(r.dataset()));
        return new ImageSet(probe.name(), 0, probe.channels(), probe.height(), probe.width(), new float[0], new int[0],
                probe.classCount());
    }

    private ImageSet shapeOf(Path run, ImageRecipe r) throws java.io.IOException {
        return shapeOf(run, r, dataDir);
    }

    private static String stem(Path p) {
        String f = p.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
