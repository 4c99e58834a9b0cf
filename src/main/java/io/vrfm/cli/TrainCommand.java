package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.Method;
import io.vrfm.flow.Reduction;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
import io.vrfm.io.Checkpoint;
import io.vrfm.nn.PosteriorInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code train}: one model (rfm, vrfm, cfm or otfm) on a synthetic task into a run directory; with {@code --dataset} it
 * trains an image model instead (the same as {@code train-image}, whose options it then accepts). With
 * {@code --resume} the options not given are taken from the run's {@code config.json}; the ones given must match
 * it, except a larger {@code --iters} (rfm and vrfm: their steps do not depend on the total), which is recorded.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train one flow model on a synthetic task; writes config.json and checkpoints/model.safetensors.",
                "With --dataset mnist|fashion-mnist|cifar10 it trains an image model (--model unet|mnist-resnet,"
                        + " --preset ...): the options of 'train-image --help'."})
public final class TrainCommand implements Callable<Integer> {
    /** Per-sample working memory of the synthetic networks, a lower bound (a few 256-wide activations). */
    static final long BYTES_PER_SAMPLE = 4L * 1024;

    @Option(names = "--dataset", description = "Image data set: mnist, fashion-mnist or cifar10 (delegates to train-image; default: none).")
    String dataset;

    /** Options only the image trainer knows; accepted when --dataset is given. */
    @picocli.CommandLine.Unmatched
    java.util.List<String> imageOptions = new java.util.ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--task", description = "synthetic-1d, synthetic-2d, moons, 8gaussians or checkerboard (default: synthetic-1d).")
    String task;

    @Option(names = "--method", description = "rfm, vrfm, cfm or otfm (default: vrfm).")
    String method;

    @Option(names = "--iters", description = "Iterations (default 20000).")
    Integer iters;

    @Option(names = "--batch", description = "Batch size (default 1000).")
    Integer batch;

    @Option(names = "--seed", description = "Seed (default 0).")
    Long seed;

    @Option(names = "--lr", description = "AdamW learning rate (default 1e-3).")
    Float lr;

    @Option(names = "--lambda", description = "KL weight (default 1.0 in 1-D, 0.1 otherwise).")
    Float lambda;

    @Option(names = "--latent-dim", description = "V-RFM latent size (default 4 in 1-D, 8 otherwise).")
    Integer latentDim;

    @Option(names = "--posterior-inputs", description = "What q(z|.) sees: a subset of x0,x1,xt,t (default x0,x1,xt).")
    String posteriorInputs;

    @Option(names = "--reduction",
            description = "Loss reduction of both the reconstruction and the KL: sum (per-sample sum, batch mean) or mean (over all elements); default sum.")
    String reduction;

    @Option(names = "--recon-reduction", description = "Reconstruction: sum per sample (default) or mean over elements.")
    String reconReduction;

    @Option(names = "--kl-reduction", description = "KL: sum over latent dimensions (default) or mean.")
    String klReduction;

    @Option(names = "--checkpoint-every", defaultValue = "2000",
            description = "Checkpoint period in iterations; 0 = only at the end (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Mixin
    RunOptions run = new RunOptions();

    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        if (dataset != null) {
            ImageTrainCommand image = new ImageTrainCommand();
            try {
                java.util.List<String> all = spec.commandLine().getParseResult().originalArgs();
                java.util.List<String> own = all.subList(all.indexOf(spec.name()) + 1, all.size());
                new picocli.CommandLine(image).parseArgs(own.toArray(new String[0]));
            } catch (picocli.CommandLine.ParameterException e) {
                throw new IllegalArgumentException("train --dataset: " + e.getMessage()
                        + " (see: train-image --help)");
            }
            return image.call();
        }
        if (!imageOptions.isEmpty()) {
            throw new IllegalArgumentException("train: unknown option(s) " + imageOptions
                    + "; image options such as --model need --dataset, see train --help");
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 0 (0 = only at the end), got " + checkpointEvery);
        }
        boolean resume = run.resuming();
        Path dir = run.directory(null);
        SingleRun.Stored stored = null;
        if (resume) {
            RunDirectory.prepare(dir, true, run.force);
            if (!Files.isRegularFile(dir.resolve(SingleRun.CHECKPOINT))) {
                throw new IllegalArgumentException("--resume: " + dir + " has no checkpoint yet (stopped before the"
                        + " first one); start it again without --resume");
            }
            stored = SingleRun.readConfig(dir);
        }
        String taskName = task != null ? task : stored != null ? stored.taskName() : "synthetic-1d";
        SyntheticData.Task t = SingleRun.task(taskName);
        TrainConfig c;
        if (stored != null) {
            c = stored.config();
            if (method != null) c = c.withMethod(Method.parse(method));
            if (seed != null) c = c.withSeed(seed);
        } else {
            Method m = Method.parse(method != null ? method : "vrfm");
            long s = seed != null ? seed : 0L;
            c = t.dim() == 1 ? TrainConfig.paper1d(m, s) : TrainConfig.paper2d(m, s);
        }
        if (posteriorInputs != null) c = c.withPosteriorInputs(PosteriorInput.parse(posteriorInputs));
        if (reduction != null) c = c.withReduction(Reduction.parse(reduction));
        if (reconReduction != null) c = c.withReduction(c.reduction().withRecon(Reduction.parse(reconReduction)));
        if (klReduction != null) c = c.withReduction(c.reduction().withKl(Reduction.parse(klReduction)));
        if (iters != null) c = c.withIters(iters);
        if (batch != null) c = c.withBatch(batch);
        if (lr != null) c = c.withLr(lr);
        if (lambda != null) c = c.withLambda(lambda);
        if (latentDim != null) c = c.withLatentDim(latentDim);
        Sizes.requireFits("--batch", c.batch(), 256, BYTES_PER_SAMPLE);
        if (stored != null) {
            // cfm's two stages split at iters/2: a longer run would have trained differently
            Set<String> growable = stored.config().method() == Method.CFM ? Set.of() : Set.of("iters");
            RunSettings.requireSame(dir.resolve("config.json"), SingleRun.configJson(stored.taskName(), stored.config()),
                    SingleRun.configJson(taskName, c), growable, Set.of());
        }
        if (dir == null) {
            dir = RunDirectory.defaultFor("train-" + taskName + "-" + c.method().key());
        }
        Path ckpt = dir.resolve(SingleRun.CHECKPOINT);
        try (Backend be = device.open()) {
            if (!resume) {
                RunDirectory.prepare(dir, false, run.force);
            }
            Trainer trainer = new Trainer(be, SyntheticExperiment.coupling(t), c);
            if (resume) {
                trainer.setStep(Checkpoint.load(ckpt, trainer.model(), trainer.optimizer(), null));
            }
            SingleRun.writeConfig(dir, taskName, c);
            long t0 = System.nanoTime();
            SyntheticExperiment.train(trainer, ckpt, "train " + c.method().key(), checkpointEvery);
            System.out.printf(Locale.ROOT, "trained %s on %s: %d steps in %.1f s (%d parameters) -> %s%n",
                    c.method().key(), taskName, trainer.step(), (System.nanoTime() - t0) / 1e9,
                    trainer.model().parameterCount(), ckpt);
        }
        return 0;
    }
}
