package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.cli.plot.Plots;
import io.vrfm.data.Datasets;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ClassifierFid;
import io.vrfm.eval.Controllability;
import io.vrfm.eval.ImageSampling;
import io.vrfm.eval.ImageSampling.SamplerSpec;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.ImageTrainer;
import io.vrfm.flow.Method;
import io.vrfm.io.AtomicFiles;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code reproduce-image mnist [--quick]}: the paper's MNIST experiment end to end — a classifier for
 * classifier-FID, RFM and V-RFM trained with the same networks, the Euler NFE sweep {2, 5, 10, 50, 100} and Dopri5
 * for both (metrics.json + printed table), the 2-D latent manifold for two fixed x0 and the rows-share-z grid.
 * {@code --methods} adds OT-FM and consistency FM (the same networks and budget) or leaves models out.
 *
 * <p>{@code --quick} (two CPU cores, under 30 minutes — measured 17.2 min): {@link ImageRecipe#mnistQuick} (width 16, 2 + 2 ResNet
 * blocks, posterior width 8, batch 48, 500 steps), classifier 300 steps of 64, 300 samples per classifier-FID
 * (reference: the 1,000 held-out test digits), Dopri5 at rtol = atol = 1e-3, a 10 × 10 manifold with Euler 20 steps.
 * {@code --medium} (61 minutes measured on two idle cores): {@link ImageRecipe#mnistMedium} (torchcfm's MNIST UNet, width 32;
 * 1,000 steps of 32, EMA 0.995), classifier 1,000 steps, 500 samples per classifier-FID, Euler {2, 5, 10}, no
 * Dopri5 row unless {@code --dopri5-tol} asks for one (a UNet Dopri5 sweep costs as much as the Euler rows together).
 * Full size: {@link ImageRecipe#mnistPaper} (100k steps of 256), classifier 3,000 steps, 10,000 samples against the
 * full test split, Dopri5 at 1e-5, manifold with Dopri5.
 */
@Command(name = "reproduce-image", mixinStandardHelpOptions = true,
        description = {"Reproduce the paper's image experiments: reproduce-image mnist|fashion-mnist|sit-fashion [--quick].",
                "Run folder rules as for train: --resume continues one (finished models are reused), --force clears it."})
public final class ImageReproduceCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "mnist, fashion-mnist, or sit-fashion (class-conditional SiT vs V-SiT on"
            + " Fashion-MNIST; cifar10: use train-image with the paper recipe)")
    String dataset;
    @Option(names = "--quick", description = "the two-core configuration, under 30 minutes (default: off)") boolean quick;
    @Option(names = "--medium", description = "mnist|fashion-mnist: torchcfm's MNIST UNet (width 32), 1,000 steps of 32,"
            + " about an hour on two cores (default: off)") boolean medium;
    @Option(names = "--data-dir", defaultValue = "data", description = "data folder (default: ${DEFAULT-VALUE})") Path dataDir;
    @Option(names = "--steps", description = "override the training steps of both models (default: the recipe's)") Integer steps;
    @Option(names = "--eval-samples", description = "samples per classifier-FID (default: 10000, medium 500, quick 300)") Integer evalSamples;
    @Option(names = "--seed", defaultValue = "0", description = "seed (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--methods", split = ",", description = "mnist|fashion-mnist: the models to train and compare, a"
            + " subset of rfm,vrfm,otfm,cfm (the same networks; otfm: minibatch-OT pairs; cfm: consistency FM); the"
            + " latent figures need vrfm (default: rfm,vrfm)") List<String> methods;
    @Option(names = "--nfe", split = ",", description = "mnist|fashion-mnist: Euler steps of the sweep (default:"
            + " 2,5,10,50,100; medium 2,5,10)") int[] nfe;
    @Option(names = "--dopri5-tol", description = "mnist|fashion-mnist: rtol = atol of the Dopri5 row; 0 leaves it out"
            + " (default: 1e-3 quick, 1e-5 full size, 0 medium)") Double dopri5Tol;
    @Option(names = "--classifier-steps", description = "training steps of the feature classifier (default: 3000, medium 1000, quick 300)") Integer classifierSteps;
    @Mixin RunOptions run = new RunOptions();
    @Mixin DeviceOption device = new DeviceOption();

    /** Whether {@code reproduce EXPERIMENT} names an image experiment handled here. */
    static boolean isImageExperiment(String experiment) {
        String e = experiment.trim().toLowerCase(java.util.Locale.ROOT);
        return e.equals("mnist") || e.equals("fashion-mnist") || e.equals("fashion_mnist") || e.equals("fashionmnist")
                || SiTFashionExperiment.names(e);
    }

    /** Entry point shared with {@code reproduce mnist|fashion-mnist} (its --quick, --medium and --methods pass through). */
    static int run(String dataset, boolean quick, boolean medium, List<String> methods, RunOptions run, Path dataDir,
                   DeviceOption device, long seed, Integer steps, Integer evalSamples) throws Exception {
        ImageReproduceCommand c = new ImageReproduceCommand();
        c.dataset = dataset;
        c.quick = quick;
        c.medium = medium;
        c.methods = methods;
        c.run = run;
        c.dataDir = dataDir;
        c.device = device;
        c.seed = seed;
        c.steps = steps;
        c.evalSamples = evalSamples;
        return c.call();
    }

    @Override
    public Integer call() throws Exception {
        if (SiTFashionExperiment.names(dataset)) {
            if (medium) throw new IllegalArgumentException("sit-fashion has --quick and full size only; drop --medium");
            if (methods != null) {
                throw new IllegalArgumentException("sit-fashion always compares SiT and V-SiT; drop --methods");
            }
            return SiTFashionExperiment.run(quick, run, dataDir, device, seed, steps, evalSamples, classifierSteps);
        }
        if (quick && medium) throw new IllegalArgumentException("--quick and --medium exclude each other: give one");
        List<Method> models = methodsChecked(methods);
        if (nfe != null) {
            for (int k : nfe) {
                if (k < 1) throw new IllegalArgumentException("--nfe steps must be >= 1, got " + k);
            }
        }
        if (dopri5Tol != null && !(dopri5Tol >= 0)) {
            throw new IllegalArgumentException("--dopri5-tol must be >= 0 (0 leaves Dopri5 out), got " + dopri5Tol);
        }
        long start = System.nanoTime();
        String ds = Datasets.canonicalName(dataset);
        if (ds.equals("cifar10")) {
            throw new IllegalArgumentException("reproduce-image cifar10 is a 600k-step GPU run: use train-image"
                    + " --dataset cifar10 --method rfm|vrfm (paper recipe) and eval; see README");
        }
        boolean resume = run.resuming();
        Path dir = run.directory(RunDirectory.defaultFor("reproduce-" + ds + sizeSuffix()));
        int n = evalSamplesChecked(evalSamples == null && medium ? Integer.valueOf(500) : evalSamples, quick, steps);
        Backend be = device.open();
        ImageSet train = Datasets.load(ds, dataDir, true);
        ImageSet test = Datasets.load(ds, dataDir, false);
        RunDirectory.prepare(dir, resume, run.force);
        Files.createDirectories(dir);
        boolean small = quick || medium;
        double tol = dopri5Tol != null ? dopri5Tol : medium ? 0 : quick ? 1e-3 : 1e-5;
        Map<String, Object> timings = new LinkedHashMap<>();

        // 1. classifier for classifier-FID (cached in the run folder)
        long t = System.nanoTime();
        int clsSteps = classifierSteps != null ? classifierSteps : quick ? 300 : medium ? 1000 : 3000;
        if (clsSteps < 1) throw new IllegalArgumentException("--classifier-steps must be >= 1, got " + clsSteps);
        ClassifierFid.CnnFeatures cnn = ClassifierFid.classifier(be, train, test,
                ClassifierFid.cacheFile(dir, train, clsSteps, 64, seed + 17), clsSteps, 64, seed + 17, System.err::println);
        ClassifierFid fid = ClassifierFid.of(cnn, test, test.count());
        double floor = fid.score(train, Math.min(n, train.count()));
        timings.put("classifier_s", secs(t));
        System.err.printf("%s: reference = %d test images; real train images score %.3f (the floor at %d samples)%n",
                ClassifierFid.NAME, fid.referenceCount(), floor, Math.min(n, train.count()));

        // 2. train RFM and V-RFM
        List<ImageSampling.Row> rows = new ArrayList<>();
        Map<String, ImageTrainer> trained = new LinkedHashMap<>();
        Map<String, Object> recipes = new LinkedHashMap<>();
        for (Method m : models) {
            ImageRecipe r = (quick ? ImageRecipe.mnistQuick(m) : medium ? ImageRecipe.mnistMedium(m) : ImageRecipe.mnistPaper(m))
                    .with(Map.of("dataset", ds, "seed", seed));
            if (steps != null) r = r.with(Map.of("steps", steps, "checkpoint_every", Math.max(1, steps / 2),
                    "sample_every", Math.max(1, steps / 2)));
            t = System.nanoTime();
            Path runDir = dir.resolve(m.key());
            Path last = runDir.resolve("checkpoints").resolve("last.safetensors");
            boolean cont = resume && Files.isRegularFile(last);
            if (cont) {
                RunSettings.requireSame(runDir.resolve("recipe.json"), ImageTrainCommand.readRecipe(runDir).toMap(),
                        r.toMap(), Set.of("steps"), Set.of("checkpoint_every", "sample_every"));
            }
            ImageTrainer tr = ImageRuns.train(be, train, r, runDir, cont, m.key());
            timings.put("train_" + m.key() + "_s", secs(t));
            trained.put(m.key(), tr);
            recipes.put(m.key(), r.toMap());
        }

        // 3. NFE sweep with EMA weights
        List<SamplerSpec> specs = new ArrayList<>();
        int[] eulerSteps = nfe != null ? nfe : defaultEulerSteps(medium);
        for (int s : eulerSteps) specs.add(SamplerSpec.euler(s));
        if (tol > 0) specs.add(SamplerSpec.dopri5(tol));
        int[] chw = {train.channels(), train.height(), train.width()};
        for (Map.Entry<String, ImageTrainer> e : trained.entrySet()) {
            t = System.nanoTime();
            ImageTrainer tr = e.getValue();
            rows.addAll(tr.withEma(() -> ImageSampling.sweep(e.getKey(), be, tr.model().velocity(), fid, n, chw, specs,
                    seed + 99, System.err::println)));
            timings.put("eval_" + e.getKey() + "_s", secs(t));
        }

        // 4. figures: latent manifold for two fixed x0, rows share z / columns share x0 (with V-RFM), sample grids
        t = System.nanoTime();
        ImageTrainer v = trained.get("vrfm");
        SamplerSpec figSpec = small ? SamplerSpec.euler(20) : SamplerSpec.dopri5(1e-5);
        int g = 10;
        if (v != null) {
            Tensor x0s = Tensor.randn(be, new Rng(seed + 5), 2, chw[0], chw[1], chw[2]);
            float[][] manifold = v.withEma(() -> Controllability.manifold(be, v.model().velocity(), x0s, g, figSpec));
            for (int i = 0; i < manifold.length; i++) {
                Plots.imageGrid(dir.resolve("manifold-x0-" + (char) ('a' + i) + ".png"), manifold[i], g * g, chw[0], chw[1], chw[2], g, 2);
            }
            float[] both = new float[manifold[0].length * 2];
            System.arraycopy(manifold[0], 0, both, 0, manifold[0].length);
            System.arraycopy(manifold[1], 0, both, manifold[0].length, manifold[1].length);
            Plots.imageGrid(dir.resolve("manifold.png"), both, 2 * g * g, chw[0], chw[1], chw[2], g, 2);
            float[] rowsZ = v.withEma(() -> Controllability.rowsShareZ(be, v.model().velocity(), 8, 8, chw, figSpec, new Rng(seed + 6)));
            Plots.imageGrid(dir.resolve("rows-share-z.png"), rowsZ, 64, chw[0], chw[1], chw[2], 8, 2);
        }
        for (Map.Entry<String, ImageTrainer> e : trained.entrySet()) {
            ImageRuns.sampleGrid(be, e.getValue(), train, dir.resolve("samples-" + e.getKey() + ".png"), 64, 20);
        }
        timings.put("figures_s", secs(t));
        timings.put("total_s", secs(start));

        // 5. metrics.json and the table
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("experiment", "reproduce-image " + ds + sizeSuffix().replace("-", " --"));
        metrics.put("metric", ClassifierFid.NAME);
        metrics.put("metric_note", "Frechet distance of " + cnn.dim() + "-d penultimate features of a small CNN classifier"
                + " trained on " + ds + " (not Inception; not comparable with published FIDs)");
        metrics.put("classifier_test_accuracy", cnn.testAccuracy());
        metrics.put("classifier", cnn.describe());
        metrics.put("reference_images", fid.referenceCount());
        metrics.put("samples_per_score", n);
        metrics.put("real_train_vs_test", floor);
        metrics.put("dopri5_tol", tol);
        List<Map<String, Object>> rowMaps = new ArrayList<>();
        for (ImageSampling.Row r : rows) rowMaps.add(r.toMap());
        metrics.put("rows", rowMaps);
        metrics.put("recipes", recipes);
        metrics.put("timings", timings);
        AtomicFiles.writeString(dir.resolve("metrics.json"), ImageRuns.JSON.writeValueAsString(metrics));
        System.out.println();
        System.out.println(ClassifierFid.NAME + " on " + ds + " (" + n + " samples vs " + fid.referenceCount()
                + " test images; real train images: " + String.format("%.3f", floor) + "), EMA weights:");
        System.out.print(ImageSampling.table(rows));
        System.out.printf("total %.1f min; results in %s (metrics.json%s)%n", secs(start) / 60, dir,
                v != null ? ", manifold.png, rows-share-z.png" : "; no latent figures without vrfm");
        return 0;
    }

    /** The models of {@code --methods} in the order given, each once; rfm, vrfm when not given. */
    static List<Method> methodsChecked(List<String> names) {
        if (names == null) return List.of(Method.RFM, Method.VRFM);
        java.util.LinkedHashSet<Method> set = new java.util.LinkedHashSet<>();
        for (String n : names) {
            if (n.isBlank()) continue;
            try {
                set.add(Method.parse(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--methods: " + e.getMessage());
            }
        }
        if (set.isEmpty()) throw new IllegalArgumentException("--methods: give at least one of rfm, vrfm, otfm, cfm");
        return List.copyOf(set);
    }

    /**
     * The Euler steps of the sweep when {@code --nfe} is not given: {2, 5, 10} for the medium preset (its 90-minute
     * budget leaves no room for a 20-step row, and the question is 2 and 5 steps), the paper's
     * {2, 5, 10, 50, 100} otherwise.
     */
    static int[] defaultEulerSteps(boolean medium) {
        return medium ? new int[]{2, 5, 10} : new int[]{2, 5, 10, 50, 100};
    }

    /** "-quick", "-medium" or "" (full size), for run folder names. */
    private String sizeSuffix() {
        return quick ? "-quick" : medium ? "-medium" : "";
    }

    private static double secs(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e8) / 10.0;
    }

    /** The evaluation sample count (300 quick, 10,000 full, or the user's), checked against memory; --steps ≥ 0. */
    static int evalSamplesChecked(Integer evalSamples, boolean quick, Integer steps) {
        int n = evalSamples != null ? evalSamples : quick ? 300 : 10_000;
        Sizes.requireFits("--eval-samples", n, 28 * 28, 28 * 28 * 4L);
        if (steps != null && steps < 0) {
            throw new IllegalArgumentException("--steps must be >= 0, got " + steps);
        }
        return n;
    }
}
