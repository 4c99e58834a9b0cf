package io.vrfm.cli;

import io.vrfm.backend.Devices;
import com.fasterxml.jackson.core.type.TypeReference;
import io.vrfm.backend.Backend;
import io.vrfm.data.Datasets;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ClassifierFid;
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
 * runs with their EMA weights, scored by classifier-FID against the data set's test split; writes metrics.json and
 * prints the table. The classifier is trained once per data set and cached in {@code DATA/cache/}.
 */
@Command(name = "eval-image", mixinStandardHelpOptions = true,
        description = "classifier-FID NFE sweep of trained image runs (train-image run folders).")
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

    @Override
    public Integer call() throws Exception {
        Backend be = Devices.open(device, System.err::println);
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
                ImageSet train = Datasets.load(dataset, dataDir, true), test = Datasets.load(dataset, dataDir, false);
                ClassifierFid.CnnFeatures cnn = ClassifierFid.classifier(be, train, test,
                        dataDir.resolve("cache").resolve("classifier-" + dataset + ".safetensors"), classifierSteps, 64,
                        seed + 17, System.err::println);
                fid = ClassifierFid.of(cnn, test, test.count());
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
        metrics.put("metric", ClassifierFid.NAME);
        metrics.put("dataset", dataset);
        metrics.put("samples_per_score", samples);
        List<Map<String, Object>> rowMaps = new ArrayList<>();
        for (ImageSampling.Row r : rows) rowMaps.add(r.toMap());
        metrics.put("rows", rowMaps);
        Path file = out != null ? out : runs.get(0).resolve("metrics.json");
        AtomicFiles.writeString(file, ImageRuns.JSON.writeValueAsString(metrics));
        System.out.println(ClassifierFid.NAME + " on " + dataset + " (" + samples + " samples, EMA weights):");
        System.out.print(ImageSampling.table(rows));
        System.out.println("metrics: " + file);
        return 0;
    }
}
