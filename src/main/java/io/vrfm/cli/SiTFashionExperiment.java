package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.data.Datasets;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ClassifierFid;
import io.vrfm.eval.ImageSampling;
import io.vrfm.eval.ImageSampling.SamplerSpec;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.ImageTrainer;
import io.vrfm.flow.Method;
import io.vrfm.io.AtomicFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code reproduce-image sit-fashion [--quick]}: class-conditional Fashion-MNIST with SiT and V-SiT (paper §4.5 at
 * small scale) — a feature classifier for classifier-FID, both models trained with the same network and label
 * dropout, then for each with and without classifier-free guidance (scale 1 = the conditional field, and 1.5 as in
 * the paper) the NFE sweep (Euler, Dopri5 and SiT's SDE sampler) scored by classifier-FID and by the
 * classification accuracy of the samples by requested class (classes balanced, {@code i mod 10}); sample grids with
 * one row per class, and a V-SiT figure of one class with {@code z} varied ({@code vary-z-by-column-…png}: rows share
 * {@code x0}, columns share {@code z}; also {@code sample-image --vary-z} on a finished run). Images stay 28×28 (the
 * patch divides 28; no padding).
 *
 * <p>{@code --quick} (two CPU cores, designed for under 30 minutes, not yet run whole: a training step of either
 * model measured about 0.5 s on two loaded cores, so about 10 minutes of training; the sampling budget is sized to
 * fit the rest): {@link ImageRecipe#sitQuick} (4 blocks, width 64, 4 heads, patch 4, batch 32, 600 steps),
 * classifier 300 steps of 64, 300 samples per score, Euler {2, 5, 10}, SDE 10 steps, Dopri5 at 1e-3. Full size:
 * {@link ImageRecipe#sitPaper} (SiT-S/2, 100k steps of 256), classifier 3,000 steps, 10,000 samples, Euler
 * {2, 5, 10, 50, 100}, SDE 100 steps, Dopri5 at 1e-5.
 */
final class SiTFashionExperiment {
    /** The guidance scales compared: 1 (no guidance) and the paper's 1.5. */
    static final float[] SCALES = {1f, 1.5f};

    /** The class of the z-varied V-SiT figure: 1, trousers (the class the quick models draw best). */
    static final int VARY_Z_CLASS = 1;

    /** The guidance scale of the z-varied figure (the paper's). */
    static final float VARY_Z_CFG = 1.5f;

    private SiTFashionExperiment() {
    }

    static boolean names(String experiment) {
        String e = experiment.trim().toLowerCase(java.util.Locale.ROOT);
        return e.equals("sit-fashion") || e.equals("sit_fashion");
    }

    static int run(boolean quick, RunOptions run, Path dataDir, DeviceOption device, long seed, Integer steps,
                   Integer evalSamples, Integer classifierSteps) throws Exception {
        long start = System.nanoTime();
        String ds = "fashion-mnist";
        boolean resume = run.resuming();
        Path dir = run.directory(RunDirectory.defaultFor("reproduce-sit-fashion" + (quick ? "-quick" : "")));
        int n = ImageReproduceCommand.evalSamplesChecked(evalSamples, quick, steps);
        Backend be = device.open();
        ImageSet train = Datasets.load(ds, dataDir, true);
        ImageSet test = Datasets.load(ds, dataDir, false);
        RunDirectory.prepare(dir, resume, run.force);
        Files.createDirectories(dir);
        Map<String, Object> timings = new LinkedHashMap<>();

        long t = System.nanoTime();
        int clsSteps = classifierSteps != null ? classifierSteps : quick ? 300 : 3000;
        if (clsSteps < 1) throw new IllegalArgumentException("--classifier-steps must be >= 1, got " + clsSteps);
        ClassifierFid.CnnFeatures cnn = ClassifierFid.classifier(be, train, test,
                ClassifierFid.cacheFile(dir, train, clsSteps, 64, seed + 17), clsSteps, 64, seed + 17, System.err::println);
        ClassifierFid fid = ClassifierFid.of(cnn, test, test.count());
        timings.put("classifier_s", secs(t));

        Map<String, ImageTrainer> trained = new LinkedHashMap<>();
        Map<String, Object> recipes = new LinkedHashMap<>();
        for (Method m : new Method[]{Method.RFM, Method.VRFM}) {
            String name = m == Method.RFM ? "sit" : "vsit";
            ImageRecipe r = (quick ? ImageRecipe.sitQuick(m, ds) : ImageRecipe.sitPaper(m, ds)).with(Map.of("seed", seed));
            if (steps != null) r = r.with(Map.of("steps", steps, "checkpoint_every", Math.max(1, steps / 2),
                    "sample_every", 0));
            t = System.nanoTime();
            Path runDir = dir.resolve(name);
            boolean cont = resume && Files.isRegularFile(runDir.resolve("checkpoints").resolve("last.safetensors"));
            if (cont) {
                RunSettings.requireSame(runDir.resolve("recipe.json"), ImageTrainCommand.readRecipe(runDir).toMap(),
                        r.toMap(), Set.of("steps"), Set.of("checkpoint_every", "sample_every"));
            }
            trained.put(name, ImageRuns.train(be, train, r, runDir, cont, name));
            timings.put("train_" + name + "_s", secs(t));
            recipes.put(name, r.toMap());
        }

        List<SamplerSpec> specs = new ArrayList<>();
        for (int s : quick ? new int[]{2, 5, 10} : new int[]{2, 5, 10, 50, 100}) specs.add(SamplerSpec.euler(s));
        specs.add(SamplerSpec.sitSde(quick ? 10 : 100));
        specs.add(SamplerSpec.dopri5(quick ? 1e-3 : 1e-5));
        int[] chw = {train.channels(), train.height(), train.width()};
        int classes = train.classCount();
        List<ImageSampling.Row> rows = new ArrayList<>();
        for (Map.Entry<String, ImageTrainer> e : trained.entrySet()) {
            ImageTrainer tr = e.getValue();
            for (float scale : SCALES) {
                t = System.nanoTime();
                String label = e.getKey() + (scale == 1f ? "" : String.format(java.util.Locale.ROOT, "+cfg%.1f", scale));
                ImageSampling.Conditioning cond = ImageSampling.Conditioning.balanced(classes, scale);
                rows.addAll(tr.withEma(() -> ImageSampling.sweep(label, be, tr.model().velocity(), fid, n, chw, specs,
                        seed + 99, System.err::println, cond, cnn.model())));
                ImageRuns.classGrid(be, tr, classes, 8, scale, 20, dir.resolve("samples-" + label + ".png"));
                timings.put("eval_" + label + "_s", secs(t));
            }
        }
        t = System.nanoTime();
        ImageTrainer vsit = trained.get("vsit");
        String varyName = String.format(java.util.Locale.ROOT, "vary-z-by-column-vsit+cfg%.1f-class%d.png", VARY_Z_CFG,
                VARY_Z_CLASS);
        Map<String, Object> varyZ = ImageRuns.varyZGrid(be, vsit,
                ImageSampling.Conditioning.single(VARY_Z_CLASS, VARY_Z_CFG), 8, 8, SamplerSpec.euler(20), 1234,
                dir.resolve(varyName));
        varyZ.put("model", "vsit");
        timings.put("figures_s", secs(t));
        timings.put("total_s", secs(start));

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("experiment", "reproduce-image sit-fashion" + (quick ? " --quick" : ""));
        metrics.put("metric", ClassifierFid.NAME);
        metrics.put("metric_note", "Frechet distance of " + cnn.dim() + "-d penultimate features of a small CNN"
                + " classifier trained on " + ds + "; class_accuracy: the fraction of samples that classifier assigns to"
                + " the requested class (classes balanced)");
        metrics.put("classifier_test_accuracy", cnn.testAccuracy());
        metrics.put("samples_per_score", n);
        metrics.put("cfg_scales", SCALES);
        metrics.put("cfg_channels", io.vrfm.nn.ClassifierFreeGuidance.Channels.ALL.key());
        metrics.put("figures", Map.of("vary_z", varyZ));
        List<Map<String, Object>> rowMaps = new ArrayList<>();
        for (ImageSampling.Row r : rows) rowMaps.add(r.toMap());
        metrics.put("rows", rowMaps);
        metrics.put("recipes", recipes);
        metrics.put("timings", timings);
        AtomicFiles.writeString(dir.resolve("metrics.json"), ImageRuns.JSON.writeValueAsString(metrics));
        System.out.println();
        System.out.println(ClassifierFid.NAME + " and class accuracy on " + ds + " (" + n + " samples, classes"
                + " balanced; classifier test accuracy " + String.format("%.3f", cnn.testAccuracy()) + "), EMA weights:");
        System.out.print(ImageSampling.table(rows));
        System.out.printf("total %.1f min; results in %s (metrics.json, samples-*.png: one row per class; %s: one"
                + " class, %s)%n", secs(start) / 60, dir, varyName, ImageRuns.VARY_Z_LAYOUT);
        return 0;
    }

    private static double secs(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e8) / 10.0;
    }
}
