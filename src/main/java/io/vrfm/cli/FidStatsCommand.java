package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.data.Datasets;
import io.vrfm.data.ImageSet;
import io.vrfm.eval.ClassifierFid;
import io.vrfm.eval.FidStatsFile;
import io.vrfm.eval.FrechetDistance;
import io.vrfm.eval.InceptionFeatures;
import io.vrfm.nn.FidInceptionV3;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code fid-stats --dataset NAME --inception WEIGHTS --out FILE}: the Inception-FID reference statistics (μ, Σ of
 * the 2048-d pool3 features) of a data set split, computed once and saved as {@code .npz} (the FID tool's format) or
 * {@code .safetensors}, for {@code eval-image --fid inception --fid-stats FILE}.
 */
@Command(name = "fid-stats", mixinStandardHelpOptions = true,
        description = "Inception-FID reference statistics (mu, sigma) of a data set split, saved as .npz or .safetensors.")
public final class FidStatsCommand implements Callable<Integer> {
    @Option(names = "--dataset", required = true, description = "mnist, fashion-mnist or cifar10") String dataset;
    @Option(names = "--split", defaultValue = "train", description = "train or test (default: ${DEFAULT-VALUE})") String split;
    @Option(names = "--inception", required = true, description = "FID Inception-v3 weights (safetensors)") Path inception;
    @Option(names = "--out", required = true, description = "statistics file, .npz or .safetensors") Path out;
    @Option(names = "--samples", defaultValue = "50000", description = "at most this many images (default: ${DEFAULT-VALUE})") int samples;
    @Option(names = "--inception-size", defaultValue = "299", hidden = true,
            description = "resize target; anything but 299 gives numbers not comparable with published FIDs (default: ${DEFAULT-VALUE})") int size;
    @Option(names = "--data-dir", defaultValue = "data", description = "where data fetch put the data sets (default: ${DEFAULT-VALUE})") Path dataDir;
    @Mixin DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        if (!split.equals("train") && !split.equals("test")) {
            throw new IllegalArgumentException("fid-stats: --split " + split + " is not train or test");
        }
        String name = out.getFileName().toString();
        if (!name.endsWith(".npz") && !name.endsWith(".safetensors")) {
            throw new IllegalArgumentException("fid-stats: --out " + out + " must end in .npz or .safetensors");
        }
        if (samples < 2) {
            throw new IllegalArgumentException("fid-stats: --samples must be >= 2 (a covariance needs two images), got " + samples);
        }
        if (size < FidInceptionV3.MIN_SIZE) {
            throw new IllegalArgumentException("fid-stats: --inception-size must be >= " + FidInceptionV3.MIN_SIZE + ", got " + size);
        }
        Backend be = device.open();
        ImageSet set = Datasets.load(dataset, dataDir, split.equals("train"));
        InceptionFeatures net = InceptionFeatures.load(be, inception, size);
        int n = Math.min(samples, set.count());
        System.err.println("fid-stats: " + n + " " + dataset + " " + split + " images through " + net.describe());
        FrechetDistance.Stats stats = ClassifierFid.referenceStats(net, set, n);
        FidStatsFile.save(out, stats, InceptionFeatures.FID_NAME + (size == FidInceptionV3.FID_SIZE ? "" : "@" + size), be);
        System.out.println(InceptionFeatures.FID_NAME + " statistics of " + n + " " + dataset + " " + split + " images: " + out);
        return 0;
    }
}
