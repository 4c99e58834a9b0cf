package io.vrfm.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vrfm.backend.Backend;
import io.vrfm.data.Datasets;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ClassifierFid;
import io.vrfm.eval.FeatureNetwork;
import io.vrfm.eval.FidStatsFile;
import io.vrfm.eval.InceptionFeatures;
import io.vrfm.eval.ImageSampling;
import io.vrfm.eval.ImageSampling.SamplerSpec;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.ImageTrainer;
import io.vrfm.io.AtomicFiles;
import picocli.CommandLine.Command;
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
 * writes metrics.json (naming the metric) and prints the table.
 */
@Command(name = "eval-image", mixinStandardHelpOptions = true,
        description = "FID NFE sweep of trained image runs (train-image run folders): classifier-FID, or Inception FID and IS.")
public final class ImageEvalCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run folder(s) of train-image") List<Path> runs;
    @Option(names = "--samples", defaultValue = "10000", description = "samples per score (default: ${DEFAULT-VALUE})") int samples;
    @Option(names = "--nfe", split = ",", defaultValue = "2,5,10,50,100", description = "Euler steps") int[] nfe;
    @Option(names = "--dopri5-tol", defaultValue = "1e-5", description = "rtol = atol for Dopri5; 0 skips it") double tol;
    @Option(names = "--classifier-steps", defaultValue = "3000") int classifierSteps;
    @Option(names = "--data-dir", defaultValue = "data") Path dataDir;
    @Option(names = "--out", description = "metrics file (default: metrics.json in the first run folder)") Path out;
    @Option(names = "--device", defaultValue = "auto") String device;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--fid", defaultValue = "classifier",
            description = "classifier (a small classifier trained here) or inception (needs --inception)") String fidKind;
    @Option(names = "--inception", description = "FID Inception-v3 weights (safetensors, see tools/convert_fid_inception.py)") Path inception;
    @Option(names = "--fid-stats", description = "reference statistics from fid-stats (default: the test split)") Path fidStats;
    @Option(names = "--inception-size", defaultValue = "299", hidden = true,
            description = "resize target; anything but 299 gives numbers not comparable with published FIDs") int inceptionSize;

    /** The reference FID of {@code dataset}: classifier features trained here, or the Inception network. */
    private ClassifierFid reference(Backend be, String dataset) throws Exception {
        ImageSet test = Datasets.load(dataset, dataDir, false);
        if (fidKind.equals("inception")) {
            FeatureNetwork net = InceptionFeatures.load(be, inception, inceptionSize);
            System.err.println("eval-image: " + net.describe());
            return fidStats != null ? ClassifierFid.of(net, FidStatsFile.load(fidStats)) : ClassifierFid.of(net, test, test.count());
        }
        ImageSet train = Datasets.load(dataset, dataDir, true);
        ClassifierFid.CnnFeatures cnn = ClassifierFid.classifier(be, train, test,
                dataDir.resolve("cache").resolve("classifier-" + dataset + ".safetensors"), classifierSteps, 64,
                seed + 17, System.err::println);
        return ClassifierFid.of(cnn, test, test.count());
    }

    @Override
    public Integer call() throws Exception {
        if (!fidKind.equals("classifier") && !fidKind.equals("inception")) {
            throw new IllegalArgumentException("eval-image: --fid " + fidKind + " is not classifier or inception");
        }
        if (fidKind.equals("inception") && inception == null) {
            throw new IllegalArgumentException("eval-image: --fid inception needs --inception WEIGHTS.safetensors "
                    + "(convert the FID tool's pt_inception-2015-12-05-6726825d.pth with tools/convert_fid_inception.py)");
        }
        if (fidStats != null && !fidKind.equals("inception")) {
            throw new IllegalArgumentException("eval-image: --fid-stats is for --fid inception");
        }
        Backend be = Devices.open(device);
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
            ImageRecipe r = ImageRecipe.fromMap(ImageRuns.JSON.readValue(recipeFile.toFile(),
                    new TypeReference<Map<String, Object>>() { }));
            if (dataset == null) {
                dataset = r.dataset();
                fid = reference(be, dataset);
            } else if (!dataset.equals(r.dataset())) {
                throw new IllegalArgumentException("eval-image: runs on different data sets (" + dataset + ", " + r.dataset() + ")");
            }
            ImageSet probe = Datasets.load(dataset, dataDir, false);
            ImageTrainer tr = new ImageTrainer(be, probe, r);
            tr.resume(ck);
            int[] chw = {probe.channels(), probe.height(), probe.width()};
            String name = r.method().key() + (run.getFileName() == null ? "" : ":" + run.getFileName());
            ClassifierFid f = fid;
            rows.addAll(tr.withEma(() -> ImageSampling.sweep(name, be, tr.model().velocity(), f, samples, chw, specs,
                    seed + 99, System.err::println)));
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("metric", fid == null ? ClassifierFid.NAME : fid.metric());
        if (fid != null) {
            metrics.put("features", fid.network().describe());
            metrics.put("reference_count", fid.referenceCount());
        }
        metrics.put("dataset", dataset);
        metrics.put("samples_per_score", samples);
        List<Map<String, Object>> rowMaps = new ArrayList<>();
        for (ImageSampling.Row r : rows) rowMaps.add(r.toMap());
        metrics.put("rows", rowMaps);
        Path file = out != null ? out : runs.get(0).resolve("metrics.json");
        AtomicFiles.writeString(file, ImageRuns.JSON.writeValueAsString(metrics));
        System.out.println((fid == null ? ClassifierFid.NAME : fid.metric()) + " on " + dataset + " (" + samples + " samples, EMA weights):");
        System.out.print(ImageSampling.table(rows));
        System.out.println("metrics: " + file);
        return 0;
    }
}
