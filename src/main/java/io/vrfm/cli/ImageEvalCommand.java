package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ClassifierFid;
import io.vrfm.eval.FeatureNetwork;
import io.vrfm.eval.FidStatsFile;
import io.vrfm.eval.InceptionFeatures;
import io.vrfm.nn.FidInceptionV3;
import io.vrfm.nn.SmallCnn;
import io.vrfm.eval.ImageSampling;
import io.vrfm.eval.ImageSampling.SamplerSpec;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.ImageTrainer;
import io.vrfm.io.AtomicFiles;
import io.vrfm.cli.plot.Plots;
import io.vrfm.eval.Controllability;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code eval-image --run DIR [--run DIR2 …]}: the NFE sweep (Euler {2, 5, 10, 50, 100} and Dopri5) of trained image
 * runs with their EMA weights, scored by classifier-FID against the data set's test split (the classifier is trained
 * once per data set and cached in {@code DATA/cache/}), or with {@code --fid inception --inception WEIGHTS} by the
 * standard Inception FID and Inception Score (reference statistics from {@code --fid-stats FILE} or the test split);
 * writes metrics.json (naming the metric) and prints the table. {@code --controllability} draws the latent figures of
 * V-RFM runs instead (paper Figs 6 and 7), into each run folder.
 */
@Command(name = "eval-image", mixinStandardHelpOptions = true,
        description = "FID NFE sweep of trained image runs (train-image run folders): classifier-FID, or Inception FID and IS.")
public final class ImageEvalCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run folder(s) of train-image") List<Path> runs;
    @Option(names = "--samples", defaultValue = "10000", description = "samples per score (default: ${DEFAULT-VALUE})") int samples;
    @Option(names = "--nfe", split = ",", defaultValue = "2,5,10,50,100", description = "Euler steps (default: ${DEFAULT-VALUE})") int[] nfe;
    @Option(names = "--dopri5-tol", defaultValue = "1e-5", description = "rtol = atol for Dopri5; 0 skips it (default: ${DEFAULT-VALUE})") double tol;
    @Option(names = "--classifier-steps", defaultValue = "3000",
            description = "training steps of the feature classifier, part of its cache key (default: ${DEFAULT-VALUE})") int classifierSteps;
    @Option(names = "--min-classifier-accuracy", defaultValue = "0.5",
            description = "refuse a feature classifier whose test accuracy is below this (default: ${DEFAULT-VALUE})") double minAccuracy;
    @Option(names = "--data-dir", defaultValue = "data", description = "data folder; the classifier is cached in DATA/cache (default: ${DEFAULT-VALUE})") Path dataDir;
    @Option(names = "--out", description = "metrics file (default: metrics.json in the first run folder)") Path out;
    @Mixin DeviceOption device = new DeviceOption();
    @Option(names = "--seed", defaultValue = "0", description = "seed of the samples and the classifier (default: ${DEFAULT-VALUE})") long seed;

    @Option(names = "--fid", defaultValue = "classifier",
            description = "classifier (a small classifier trained here) or inception (needs --inception) (default: ${DEFAULT-VALUE})") String fidKind;
    @Option(names = "--inception", description = "FID Inception-v3 weights (safetensors, see tools/convert_fid_inception.py; default: none, needed by --fid inception)") Path inception;
    @Option(names = "--fid-stats", description = "Inception reference statistics from fid-stats (default: the test split)") Path fidStats;
    @Option(names = "--inception-size", defaultValue = "299", hidden = true,
            description = "resize target; anything but 299 gives numbers not comparable with published FIDs (default: ${DEFAULT-VALUE})") int inceptionSize;

    @Option(names = "--cfg", description = "class-conditional runs: classifier-free guidance scale; 1 = the conditional"
            + " field, 0 = the unconditional one (default: 1; the paper samples with 1.5)") Float cfg;
    @Option(names = "--cfg-channels", defaultValue = "all", description = "class-conditional runs: the channels guidance"
            + " applies to: all, or first-three (SiT's released sampling rule; the same for images of up to 3 channels)"
            + " (default: ${DEFAULT-VALUE})") String cfgChannels = "all";
    @Option(names = "--class", description = "class-conditional runs: sample only this class (default: every class in"
            + " turn, and the classification accuracy of the samples by requested class)") Integer onlyClass;

    @Option(names = "--controllability", description = "V-RFM runs: instead of FID, write the paper's controllability"
            + " figures into each run folder: controllability.png (Fig. 7: three panels, each one z, the same 6×6 source"
            + " noises in every panel), rows-share-z.png (rows share z, columns x0) and, for a 2-D latent, manifold.png"
            + " (Fig. 6); Euler with the largest --nfe (default: off)") boolean controllability;

    /** Fig. 7's layout: panels, and rows × cols samples per panel. */
    static final int FIG7_PANELS = 3, FIG7_SIDE = 6;

    /** The classifier's batch (part of its cache key). */
    static final int CLASSIFIER_BATCH = 64;

    @Override
    public Integer call() throws Exception {
        Sizes.requireFits("--samples", samples, 32 * 32 * 3, 32 * 32 * 3 * 4L);
        for (int k : nfe) {
            if (k < 1) throw new IllegalArgumentException("--nfe steps must be >= 1, got " + k);
        }
        if (!(tol >= 0)) throw new IllegalArgumentException("--dopri5-tol must be >= 0, got " + tol);
        if (classifierSteps < 1) {
            throw new IllegalArgumentException("--classifier-steps must be >= 1, got " + classifierSteps);
        }
        if (!fidKind.equals("classifier") && !fidKind.equals("inception")) {
            throw new IllegalArgumentException("eval-image: --fid " + fidKind + " is not classifier or inception");
        }
        if (fidKind.equals("inception") && inception == null) {
            throw new IllegalArgumentException("eval-image: --fid inception needs --inception WEIGHTS.safetensors "
                    + "(convert the FID tool's pt_inception-2015-12-05-6726825d.pth with tools/convert_fid_inception.py)");
        }
        if (fidKind.equals("inception") && inceptionSize < FidInceptionV3.MIN_SIZE) {
            throw new IllegalArgumentException("eval-image: --inception-size must be >= " + FidInceptionV3.MIN_SIZE
                    + ", got " + inceptionSize);
        }
        if (fidStats != null && !fidKind.equals("inception")) {
            throw new IllegalArgumentException("eval-image: --fid-stats is for --fid inception");
        }
        io.vrfm.nn.ClassifierFreeGuidance.Channels channels = io.vrfm.nn.ClassifierFreeGuidance.Channels.parse(cfgChannels);
        if (controllability) {
            return figures();
        }
        Backend be = device.open();
        ClassifierFid.CnnFeatures used = null;
        List<ImageSampling.Row> rows = new ArrayList<>();
        ClassifierFid fid = null;
        String dataset = null;
        List<SamplerSpec> specs = new ArrayList<>();
        for (int s : nfe) specs.add(SamplerSpec.euler(s));
        if (tol > 0) specs.add(SamplerSpec.dopri5(tol));
        for (Path run : runs) {
            Path recipeFile = run.resolve("recipe.json");
            Path ck = run.resolve("checkpoints").resolve("last.safetensors");
            if (!Files.isRegularFile(recipeFile) || !Files.isRegularFile(ck)) {
                throw new IllegalArgumentException("eval-image: " + run + " has no recipe.json and checkpoints/last.safetensors");
            }
            ImageRecipe r = ImageTrainCommand.readRecipe(run);
            if (dataset == null && fidKind.equals("inception")) {
                dataset = r.dataset();
                ImageSet test = ImageData.load(dataset, dataDir, false);
                FeatureNetwork net = InceptionFeatures.load(be, inception, inceptionSize);
                System.err.println("eval-image: features from " + net.describe());
                fid = fidStats != null ? ClassifierFid.of(net, FidStatsFile.load(fidStats)) : ClassifierFid.of(net, test, test.count());
            } else if (dataset == null) {
                dataset = r.dataset();
                ImageSet train = ImageData.load(dataset, dataDir, true), test = ImageData.load(dataset, dataDir, false);
                Path cache = ClassifierFid.cacheFile(dataDir.resolve("cache"), train, classifierSteps, CLASSIFIER_BATCH,
                        seed + 17);
                ClassifierFid.CnnFeatures cnn = ClassifierFid.classifier(be, train, test, cache, classifierSteps,
                        CLASSIFIER_BATCH, seed + 17, System.err::println);
                if (!(cnn.testAccuracy() >= minAccuracy)) {
                    throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "eval-image: the feature"
                            + " classifier %s has test accuracy %.3f, below --min-classifier-accuracy %.2f: its"
                            + " features would make classifier-FID meaningless; train it longer (--classifier-steps)"
                            + " or lower the threshold", cache, cnn.testAccuracy(), minAccuracy));
                }
                System.err.println("eval-image: features from " + cnn.describe() + ", cached in " + cache);
                used = cnn;
                fid = ClassifierFid.of(cnn, test, test.count());
            } else if (!dataset.equals(r.dataset())) {
                throw new IllegalArgumentException("eval-image: runs on different data sets (" + dataset + ", " + r.dataset() + ")");
            }
            ImageSet probe = ImageData.load(dataset, dataDir, false);
            ImageTrainer tr = new ImageTrainer(be, probe, r);
            tr.resume(ck);
            int[] chw = {probe.channels(), probe.height(), probe.width()};
            String name = r.method().key() + (run.getFileName() == null ? "" : ":" + run.getFileName());
            ClassifierFid f = fid;
            ImageSampling.Conditioning cond = null;
            if (r.classCond()) {
                float scale = cfg == null ? 1f : cfg;
                if (onlyClass != null && (onlyClass < 0 || onlyClass >= probe.classCount())) {
                    throw new IllegalArgumentException("eval-image: --class " + onlyClass + " is not a class of "
                            + dataset + " (0.." + (probe.classCount() - 1) + ")");
                }
                cond = (onlyClass != null ? ImageSampling.Conditioning.single(onlyClass, scale)
                        : ImageSampling.Conditioning.balanced(probe.classCount(), scale)).withChannels(channels);
                ImageRuns.classGrid(be, tr, probe.classCount(), 8, scale, channels, 20,
                        run.resolve(String.format(java.util.Locale.ROOT, "samples-cfg%.2f%s.png", scale,
                                channels == io.vrfm.nn.ClassifierFreeGuidance.Channels.ALL ? "" : "-first-three")));
            } else if (cfg != null || onlyClass != null || channels != io.vrfm.nn.ClassifierFreeGuidance.Channels.ALL) {
                throw new IllegalArgumentException("eval-image: --cfg, --cfg-channels and --class need a class-conditional run"
                        + " (train-image --class-cond); " + run + " is unconditional");
            }
            ImageSampling.Conditioning c = cond;
            SmallCnn cls = used == null ? null : used.model();
            rows.addAll(tr.withEma(() -> ImageSampling.sweep(name, be, tr.model().velocity(), f, samples, chw, specs,
                    seed + 99, System.err::println, c, cls)));
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("metric", fid.metric());
        metrics.put("dataset", dataset);
        metrics.put("samples_per_score", samples);
        if (cfg != null) metrics.put("cfg", cfg);
        metrics.put("cfg_channels", channels.key());
        if (onlyClass != null) metrics.put("class", onlyClass);
        metrics.put("features", fid.network().describe());
        metrics.put("reference_count", fid.referenceCount());
        if (used != null) {
            Map<String, Object> cls = new LinkedHashMap<>();
            cls.put("description", used.describe());
            cls.put("steps", classifierSteps);
            cls.put("batch", CLASSIFIER_BATCH);
            cls.put("seed", seed + 17);
            cls.put("test_accuracy", used.testAccuracy());
            metrics.put("classifier", cls);
        }
        List<Map<String, Object>> rowMaps = new ArrayList<>();
        for (ImageSampling.Row r : rows) rowMaps.add(r.toMap());
        metrics.put("rows", rowMaps);
        Path file = out != null ? out : runs.get(0).resolve("metrics.json");
        AtomicFiles.writeString(file, ImageRuns.JSON.writeValueAsString(metrics));
        System.out.println(fid.metric() + " on " + dataset + " (" + samples + " samples, EMA weights):");
        System.out.print(ImageSampling.table(rows));
        System.out.println("metrics: " + file);
        return 0;
    }

    /** {@code --controllability}: the latent figures of every (V-RFM) run, EMA weights, Euler with the largest --nfe. */
    private int figures() throws Exception {
        if (fidStats != null || inception != null || cfg != null || onlyClass != null) {
            throw new IllegalArgumentException("eval-image --controllability draws figures only: drop --fid-stats,"
                    + " --inception, --cfg and --class");
        }
        List<ImageRecipe> recipes = new ArrayList<>();
        for (Path run : runs) {
            Path ck = run.resolve("checkpoints").resolve("last.safetensors");
            if (!Files.isRegularFile(run.resolve("recipe.json")) || !Files.isRegularFile(ck)) {
                throw new IllegalArgumentException("eval-image: " + run + " has no recipe.json and checkpoints/last.safetensors");
            }
            ImageRecipe r = ImageTrainCommand.readRecipe(run);
            if (r.method() != io.vrfm.flow.Method.VRFM) {
                throw new IllegalArgumentException("eval-image --controllability: " + run + " is a " + r.method().key()
                        + " run; the figures vary the latent z of a vrfm run");
            }
            if (r.classCond()) {
                throw new IllegalArgumentException("eval-image --controllability: " + run + " is class-conditional;"
                        + " the figures are for unconditional vrfm runs");
            }
            recipes.add(r);
        }
        Backend be = device.open();
        int steps = java.util.Arrays.stream(nfe).max().orElse(100);
        SamplerSpec spec = SamplerSpec.euler(steps);
        for (int i = 0; i < runs.size(); i++) {
            Path run = runs.get(i);
            ImageRecipe r = recipes.get(i);
            ImageSet probe = ImageData.load(r.dataset(), dataDir, false);
            ImageTrainer tr = new ImageTrainer(be, probe, r);
            tr.resume(run.resolve("checkpoints").resolve("last.safetensors"));
            int[] chw = tr.imageShape();
            int per = chw[0] * chw[1] * chw[2];
            float[][] panels = tr.withEma(() -> Controllability.panelsShareZ(be, tr.model().velocity(), FIG7_PANELS,
                    FIG7_SIDE, FIG7_SIDE, chw, spec, new Rng(seed + 7)));
            float[] fig7 = Controllability.sideBySide(panels, FIG7_SIDE, FIG7_SIDE, per, 1);
            int cols = FIG7_PANELS * FIG7_SIDE + FIG7_PANELS - 1;
            Plots.imageGrid(run.resolve("controllability.png"), fig7, FIG7_SIDE * cols, chw[0], chw[1], chw[2], cols, 2);
            float[] rowsZ = tr.withEma(() -> Controllability.rowsShareZ(be, tr.model().velocity(), 8, 8, chw, spec,
                    new Rng(seed + 6)));
            Plots.imageGrid(run.resolve("rows-share-z.png"), rowsZ, 64, chw[0], chw[1], chw[2], 8, 2);
            String written = "controllability.png, rows-share-z.png";
            if (r.latentDim() == 2) {
                int g = 10;
                Tensor x0s = Tensor.randn(be, new Rng(seed + 5), 2, chw[0], chw[1], chw[2]);
                float[][] manifold = tr.withEma(() -> Controllability.manifold(be, tr.model().velocity(), x0s, g, spec));
                float[] both = new float[manifold[0].length * 2];
                System.arraycopy(manifold[0], 0, both, 0, manifold[0].length);
                System.arraycopy(manifold[1], 0, both, manifold[0].length, manifold[1].length);
                Plots.imageGrid(run.resolve("manifold.png"), both, 2 * g * g, chw[0], chw[1], chw[2], g, 2);
                written += ", manifold.png";
            }
            System.out.println("eval-image: " + run + ": " + written + " (EMA weights, Euler " + steps + " steps)");
        }
        return 0;
    }
}
