package io.vrfm.cli;

import io.vrfm.backend.Devices;
import io.vrfm.backend.Backend;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.Method;
import io.vrfm.flow.Reduction;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
import io.vrfm.io.Checkpoint;
import io.vrfm.nn.PosteriorInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code train}: one model (rfm, vrfm or cfm) on a synthetic task into a run directory; with {@code --dataset} it
 * trains an image model instead (the same as {@code train-image}, whose options it then accepts).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train one flow model on a synthetic task; writes config.json and checkpoints/model.safetensors.",
                "With --dataset mnist|fashion-mnist|cifar10 it trains an image model (--model unet|mnist-resnet,"
                        + " --preset ...): the options of 'train-image --help'."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--dataset", description = "Image data set: mnist, fashion-mnist or cifar10 (delegates to train-image).")
    String dataset;

    /** Options only the image trainer knows; accepted when --dataset is given. */
    @picocli.CommandLine.Unmatched
    java.util.List<String> imageOptions = new java.util.ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--task", defaultValue = "synthetic-1d",
            description = "synthetic-1d, synthetic-2d, moons, 8gaussians or checkerboard (default ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--method", defaultValue = "vrfm", description = "rfm, vrfm or cfm (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--iters", description = "Iterations (default 20000).")
    Integer iters;

    @Option(names = "--batch", description = "Batch size (default 1000).")
    Integer batch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", description = "AdamW learning rate (default 1e-3).")
    Float lr;

    @Option(names = "--lambda", description = "KL weight (default 1.0 in 1-D, 0.1 otherwise).")
    Float lambda;

    @Option(names = "--latent-dim", description = "V-RFM latent size (default 4 in 1-D, 8 otherwise).")
    Integer latentDim;

    @Option(names = "--posterior-inputs", defaultValue = "x0,x1,xt",
            description = "What q(z|.) sees: a subset of x0,x1,xt,t (default ${DEFAULT-VALUE}).")
    String posteriorInputs;

    @Option(names = "--reduction", defaultValue = "sum",
            description = "Loss reduction: sum (per-sample sum, batch mean) or mean (over all elements); default ${DEFAULT-VALUE}.")
    String reduction;

    @Option(names = "--checkpoint-every", defaultValue = "2000", description = "Checkpoint period (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--out", description = "Run directory (default runs/train-<task>-<method>-<time>).")
    Path out;

    @Option(names = "--resume", description = "Continue from the run directory's checkpoint.")
    boolean resume;

    @Option(names = "--force", description = "Overwrite a non-empty run directory.")
    boolean force;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default ${DEFAULT-VALUE}).")
    String device;

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
        SyntheticData.Task t = SingleRun.task(task);
        Method m = Method.parse(method);
        TrainConfig c = (t.dim() == 1 ? TrainConfig.paper1d(m, seed) : TrainConfig.paper2d(m, seed))
                .withPosteriorInputs(PosteriorInput.parse(posteriorInputs))
                .withReduction(Reduction.parse(reduction));
        if (iters != null) c = c.withIters(iters);
        if (batch != null) c = c.withBatch(batch);
        if (lr != null) c = c.withLr(lr);
        if (lambda != null) c = c.withLambda(lambda);
        if (latentDim != null) c = c.withLatentDim(latentDim);
        Path dir = RunDirectory.prepare(out != null ? out
                : RunDirectory.defaultFor("train-" + task + "-" + m.key()), resume, force);
        Path ckpt = dir.resolve(SingleRun.CHECKPOINT);
        try (Backend be = Devices.open(device, System.err::println)) {
            Trainer trainer = new Trainer(be, SyntheticExperiment.coupling(t), c);
            if (resume) {
                if (!Files.isRegularFile(ckpt)) {
                    throw new IllegalArgumentException("--resume: missing checkpoint " + ckpt);
                }
                trainer.setStep(Checkpoint.load(ckpt, trainer.model(), trainer.optimizer(), null));
            }
            SingleRun.writeConfig(dir, task, c);
            long t0 = System.nanoTime();
            SyntheticExperiment.train(trainer, ckpt, "train " + m.key(), checkpointEvery);
            System.out.printf(Locale.ROOT, "trained %s on %s: %d steps in %.1f s (%d parameters) -> %s%n", m.key(), task,
                    trainer.step(), (System.nanoTime() - t0) / 1e9, trainer.model().parameterCount(), ckpt);
        }
        return 0;
    }
}
