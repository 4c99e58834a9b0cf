package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.eval.SyntheticEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code reproduce synthetic-1d|synthetic-2d}: the paper's synthetic experiments, end to end. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Train RFM, V-RFM and consistency FM over seeds on a synthetic task of the paper, evaluate"
                + " (Euler steps 1..20 and dopri5), write metrics.json, plots and print a comparison table.",
                "Experiments: synthetic-1d, synthetic-2d; mnist, fashion-mnist (see reproduce-image)."})
public final class ReproduceCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "synthetic-1d, synthetic-2d, mnist or fashion-mnist")
    String experiment;

    @Option(names = "--quick", description = "Reduced budget: 1 seed, " + SyntheticEvaluation.QUICK_ITERS
            + " iterations at batch " + SyntheticEvaluation.QUICK_BATCH + ", 2000 evaluation samples (minutes on 2 CPU cores;"
            + " default: off).")
    boolean quick;

    @Option(names = "--medium", description = "mnist|fashion-mnist: torchcfm's MNIST UNet (width 32), 1,000 steps of 32,"
            + " about an hour on 2 CPU cores (default: off).")
    boolean medium;

    @Mixin
    RunOptions run = new RunOptions();

    @Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--seed", description = "First seed (default 0); seeds are seed, seed+1, ...")
    Long seed;

    @Option(names = "--seeds", description = "Number of seeds (default 3, quick 1).")
    Integer seeds;

    @Option(names = "--iters", description = "Training iterations per model (default 20000, quick "
            + SyntheticEvaluation.QUICK_ITERS + ").")
    Integer iters;

    @Option(names = "--batch", description = "Batch size (default 1000, quick " + SyntheticEvaluation.QUICK_BATCH + ").")
    Integer batch;

    @Option(names = "--eval-samples", description = "Generated samples per evaluation (default 5000, quick 2000).")
    Integer evalSamples;

    @Option(names = "--methods", split = ",", description = "Subset of rfm,vrfm,cfm,otfm (default rfm,vrfm,cfm).")
    List<String> methods;

    @Option(names = "--data-dir", defaultValue = "data", description = "Image data folder (mnist, fashion-mnist; default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--posterior-inputs", description = "V-RFM posterior inputs, a subset of x0,x1,xt,t (default x0,x1,xt; App. C.2 ablations).")
    String posteriorInputs;

    @Option(names = "--lambda", description = "V-RFM KL weight (default 1.0 for 1-D, 0.1 for 2-D).")
    Float lambda;

    @Option(names = "--latent-dim", description = "V-RFM latent size (default 4 for 1-D, 8 for 2-D).")
    Integer latentDim;

    @Option(names = "--reduction", description = "Loss reduction of both the reconstruction and the KL: sum (default) or mean.")
    String reduction;

    @Option(names = "--recon-reduction", description = "Reconstruction: sum per sample (default) or mean over elements.")
    String reconReduction;

    @Option(names = "--kl-reduction", description = "KL: sum over latent dimensions (default) or mean.")
    String klReduction;

    @Override
    public Integer call() throws Exception {
        if (ImageReproduceCommand.isImageExperiment(experiment)) {
            return ImageReproduceCommand.run(experiment, quick, medium, methods, run, dataDir, device,
                    seed == null ? 0 : seed, iters, evalSamples);
        }
        if (medium) {
            throw new IllegalArgumentException("--medium is a preset of the image experiments (mnist, fashion-mnist);"
                    + " for " + experiment + " use --quick or set --iters");
        }
        SyntheticEvaluation.Settings s = SyntheticEvaluation.forExperiment(experiment, quick);
        s = override(s);
        Sizes.requireFits("--batch", s.base().batch(), 256, TrainCommand.BYTES_PER_SAMPLE);
        Sizes.requireFits("--eval-samples", s.evalSamples(), 256, TrainCommand.BYTES_PER_SAMPLE);
        boolean resume = run.resuming();
        Path dir = run.directory(RunDirectory.defaultFor(experiment));
        try (Backend be = device.open()) {
            RunDirectory.prepare(dir, resume, run.force);
            new SyntheticExperiment(s, be, dir, resume, System.out).run();
        }
        return 0;
    }

    private SyntheticEvaluation.Settings override(SyntheticEvaluation.Settings s) {
        var base = s.base();
        if (iters != null) base = base.withIters(iters);
        if (batch != null) base = base.withBatch(batch);
        if (posteriorInputs != null) base = base.withPosteriorInputs(io.vrfm.nn.PosteriorInput.parse(posteriorInputs));
        if (lambda != null) base = base.withLambda(lambda);
        if (latentDim != null) base = base.withLatentDim(latentDim);
        if (reduction != null) base = base.withReduction(io.vrfm.flow.Reduction.parse(reduction));
        if (reconReduction != null) base = base.withReduction(base.reduction().withRecon(io.vrfm.flow.Reduction.parse(reconReduction)));
        if (klReduction != null) base = base.withReduction(base.reduction().withKl(io.vrfm.flow.Reduction.parse(klReduction)));
        List<Long> seedList = s.seeds();
        if (seeds != null || seed != null) {
            int count = seeds != null ? seeds : seedList.size();
            if (count < 1) {
                throw new IllegalArgumentException("--seeds must be >= 1, got " + count);
            }
            long first = seed != null ? seed : 0L;
            seedList = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                seedList.add(first + i);
            }
        }
        var ms = s.methods();
        if (methods != null) {
            ms = new ArrayList<>();
            for (String m : methods) {
                ms.add(io.vrfm.flow.Method.parse(m));
            }
        }
        int ev = evalSamples != null ? evalSamples : s.evalSamples();
        if (ev < 10) {
            throw new IllegalArgumentException("--eval-samples must be >= 10, got " + ev);
        }
        return new SyntheticEvaluation.Settings(s.experiment(), s.task(), base, ms, seedList, ev, s.eulerSteps(),
                s.dopri5(), s.w1Points(), s.checkpointEvery(), s.quick());
    }
}
