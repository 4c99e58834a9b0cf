package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.io.SafeTensors;
import io.vrfm.nn.FidInceptionV3;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The FID Inception-v3 ({@link FidInceptionV3}) as a {@link FeatureNetwork}: 2048-d pool3 features for the
 * standard ("Inception") FID and the 1008 logits for the Inception Score, computed in batches in one pass.
 * Weights come from a safetensors file with the FID tool's state-dict names (convert its published
 * {@code pt_inception-2015-12-05-6726825d.pth} with {@code tools/convert_fid_inception.py}).
 */
public final class InceptionFeatures implements FeatureNetwork {
    /** The metric name written next to every score computed with these features. */
    public static final String FID_NAME = "inception-FID";
    public static final String IS_NAME = "inception-score";

    private final FidInceptionV3 net;
    private final Backend be;
    private final int batch;

    /** pool3 features {@code [n × 2048]} and logits {@code [n × 1008]}, row-major. */
    public record Outputs(float[] pool3, float[] logits, int n) {
    }

    public InceptionFeatures(FidInceptionV3 net, Backend be, int batch) {
        this.net = net;
        this.be = be;
        this.batch = Math.max(1, batch);
    }

    /**
     * Loads the weights at {@code weights} into a network resizing to {@code inputSize} (299 for numbers comparable
     * with published FIDs). A wrong file fails with one line naming what does not match and how to make the file.
     */
    public static InceptionFeatures load(Backend be, Path weights, int inputSize) throws IOException {
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("--inception " + weights + ": no such file (convert the FID tool's "
                    + "pt_inception-2015-12-05-6726825d.pth with tools/convert_fid_inception.py)");
        }
        FidInceptionV3 net = new FidInceptionV3(be, new Rng(0), inputSize);
        Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
        SafeTensors.read(weights).tensors().forEach((k, v) -> {
            if (!k.endsWith("num_batches_tracked")) {
                entries.put(k, v);
            }
        });
        try {
            SafeTensors.loadInto(net.namedParameters(), entries, "--inception " + weights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (expected the FID Inception-v3 state dict; convert "
                    + "pt_inception-2015-12-05-6726825d.pth with tools/convert_fid_inception.py)");
        }
        net.eval();
        return new InceptionFeatures(net, be, 16);
    }

    public FidInceptionV3 network() {
        return net;
    }

    /** Features and logits of images {@code [N, C, H, W]} in [−1, 1], {@code batch} images at a time. */
    public Outputs run(Tensor images) {
        int n = images.dim(0);
        float[] feats = new float[n * FidInceptionV3.FEATURES], logits = new float[n * FidInceptionV3.CLASSES];
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor all = images.to(be);
            for (int s = 0; s < n; s += batch) {
                int b = Math.min(batch, n - s);
                FidInceptionV3.Output out = net.forward(all.slice(0, s, s + b));
                System.arraycopy(out.pool3().toArray(), 0, feats, s * FidInceptionV3.FEATURES, b * FidInceptionV3.FEATURES);
                System.arraycopy(out.logits().toArray(), 0, logits, s * FidInceptionV3.CLASSES, b * FidInceptionV3.CLASSES);
            }
        }
        return new Outputs(feats, logits, n);
    }

    @Override
    public Tensor features(Tensor images) {
        return Tensor.of(be, run(images).pool3(), images.dim(0), FidInceptionV3.FEATURES);
    }

    @Override
    public int dim() {
        return FidInceptionV3.FEATURES;
    }

    @Override
    public Backend backend() {
        return be;
    }

    @Override
    public String metric() {
        return FID_NAME;
    }

    @Override
    public String describe() {
        return FID_NAME + " (FID Inception-v3 pool3, 2048-d, input resized to " + net.inputSize() + "×" + net.inputSize()
                + (net.inputSize() == FidInceptionV3.FID_SIZE ? ")" : "; comparable with published FIDs only at 299)");
    }
}
