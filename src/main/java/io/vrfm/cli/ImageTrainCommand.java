package io.vrfm.cli;

import io.vrfm.backend.Devices;
import io.vrfm.backend.Backend;
import io.vrfm.data.Datasets;
import io.vrfm.data.ImageSet;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.Method;
import io.vrfm.flow.Reduction;
import io.vrfm.nn.LatentFusion;
import io.vrfm.nn.PosteriorInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code train-image}: trains RFM or V-RFM on an image data set. Starts from a preset ({@code --preset paper}: the
 * paper's recipe for the data set; {@code quick}: the two-core MNIST configuration) and applies the overrides given.
 */
@Command(name = "train-image", mixinStandardHelpOptions = true,
        description = "Train rectified flow (rfm) or variational rectified flow (vrfm) on mnist, fashion-mnist or cifar10.")
public final class ImageTrainCommand implements Callable<Integer> {
    @Option(names = "--dataset", required = true, description = "mnist, fashion-mnist or cifar10") String dataset;
    @Option(names = "--method", defaultValue = "vrfm", description = "rfm or vrfm (default: ${DEFAULT-VALUE})") String method;
    @Option(names = "--model", description = "unet or mnist-resnet (default: mnist-resnet for (fashion-)mnist, unet for cifar10)") String model;
    @Option(names = "--preset", defaultValue = "paper", description = "paper or quick (default: ${DEFAULT-VALUE})") String preset;
    @Option(names = "--steps") Integer steps;
    @Option(names = "--batch") Integer batch;
    @Option(names = "--lr") Float lr;
    @Option(names = "--optimizer", description = "adam or adamw") String optimizer;
    @Option(names = "--warmup") Integer warmup;
    @Option(names = "--grad-clip") Float gradClip;
    @Option(names = "--ema") Float ema;
    @Option(names = "--lambda", description = "KL weight") Float lambda;
    @Option(names = "--latent-dim") Integer latentDim;
    @Option(names = "--posterior-inputs", description = "subset of x0,x1,xt,t") String posteriorInputs;
    @Option(names = "--fusion", description = "UNet latent fusion: adaptive-norm or bottleneck-sum") String fusion;
    @Option(names = "--width", description = "base channels") Integer width;
    @Option(names = "--blocks", description = "res blocks per level (UNet) / per stage (mnist-resnet)") Integer blocks;
    @Option(names = "--dropout") Float dropout;
    @Option(names = "--posterior-width") Integer posteriorWidth;
    @Option(names = "--reduction", description = "mean or sum") String reduction;
    @Option(names = "--checkpoint-every") Integer checkpointEvery;
    @Option(names = "--sample-every") Integer sampleEvery;
    @Option(names = "--seed") Long seed;
    @Option(names = "--train-limit", description = "use only the first N training images") Integer trainLimit;
    @Option(names = "--data-dir", defaultValue = "data") Path dataDir;
    @Option(names = "--out", description = "run folder (default: runs/<dataset>-<model>-<method>)") Path out;
    @Option(names = "--resume", description = "checkpoint file, or a run folder (uses checkpoints/last.safetensors)") Path resume;
    @Option(names = "--device", defaultValue = "auto") String device;

    /** The preset for a data set and method, with the command-line overrides applied. */
    ImageRecipe recipe() {
        Method m = Method.parse(method);
        String ds = Datasets.canonicalName(dataset);
        ImageRecipe base;
        if (preset.equals("quick")) {
            base = ImageRecipe.mnistQuick(m);
        } else if (!preset.equals("paper")) {
            throw new IllegalArgumentException("--preset must be paper or quick, got '" + preset + "'");
        } else if (ds.equals("cifar10")) {
            base = ImageRecipe.cifarPaper(m, fusion == null ? LatentFusion.ADAPTIVE_NORM : LatentFusion.parse(fusion));
        } else {
            base = ImageRecipe.mnistPaper(m);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("dataset", ds);
        if (model != null) o.put("model", model);
        else if (ds.equals("cifar10") && preset.equals("quick")) o.put("model", "unet");
        if (steps != null) o.put("steps", steps);
        if (batch != null) o.put("batch", batch);
        if (lr != null) o.put("lr", lr);
        if (optimizer != null) o.put("optimizer", optimizer);
        if (warmup != null) o.put("warmup", warmup);
        if (gradClip != null) o.put("grad_clip", gradClip);
        if (ema != null) o.put("ema_decay", ema);
        if (lambda != null) o.put("lambda", lambda);
        if (latentDim != null) o.put("latent_dim", latentDim);
        if (posteriorInputs != null) o.put("posterior_inputs", PosteriorInput.format(PosteriorInput.parse(posteriorInputs)));
        if (fusion != null) o.put("fusion", fusion);
        if (width != null) o.put("width", width);
        if (blocks != null) o.put("blocks", blocks);
        if (dropout != null) o.put("dropout", dropout);
        if (posteriorWidth != null) o.put("posterior_width", posteriorWidth);
        if (reduction != null) o.put("reduction", Reduction.parse(reduction).name().toLowerCase());
        if (checkpointEvery != null) o.put("checkpoint_every", checkpointEvery);
        if (sampleEvery != null) o.put("sample_every", sampleEvery);
        if (seed != null) o.put("seed", seed);
        return base.with(o);
    }

    @Override
    public Integer call() throws Exception {
        ImageRecipe r = recipe();
        Backend be = Devices.open(device, System.err::println);
        ImageSet data = Datasets.load(r.dataset(), dataDir, true);
        if (trainLimit != null) data = data.subset(Math.min(trainLimit, data.count()));
        Path dir = out != null ? out : Path.of("runs", r.dataset() + "-" + r.model() + "-" + r.method().key());
        ImageRuns.train(be, data, r, dir, resume, r.method().key());
        System.out.println("train-image: done; run folder " + dir);
        return 0;
    }
}
