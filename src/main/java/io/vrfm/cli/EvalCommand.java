package io.vrfm.cli;

import io.vrfm.backend.Devices;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrfm.backend.Backend;
import io.vrfm.eval.SyntheticEvaluation;
import io.vrfm.flow.Likelihood;
import io.vrfm.io.AtomicFiles;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code eval}: scores a trained run with every sampler setting ({@code true_ll}, {@code parzen_ll}, {@code w1},
 * {@code nfe}) by {@link SyntheticEvaluation} — the same protocol, data draws and non-finite guard as
 * {@code reproduce}, so with the run's own seed and {@code --n} equal to reproduce's evaluation samples it gives the
 * numbers reproduce reports for that model — and the model's own log-likelihood of held-out target data by the
 * change of variables ({@code model_ll}; for V-RFM the marginal over {@code z}, an importance-weighted estimate over
 * {@code --ll-draws} prior draws, with {@code model_ll_kind} saying which); writes {@code metrics.json} into the run
 * directory.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a trained model (run directory from 'train'); writes metrics.json there.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "Run directory written by 'train'.")
    Path run;

    @Option(names = "--n", defaultValue = "2000", description = "Samples per setting (default ${DEFAULT-VALUE}, as reproduce --quick).")
    int n;

    @Option(names = "--ll-samples", defaultValue = "500", description = "Held-out points for model_ll (0 = skip; default ${DEFAULT-VALUE}).")
    int llSamples;

    @Option(names = "--ll-draws", defaultValue = "16",
            description = "V-RFM: prior draws of z per point for the marginal model_ll (default ${DEFAULT-VALUE}).")
    int llDraws;

    @Option(names = "--seed", description = "Evaluation seed (default: the run's training seed, as reproduce does).")
    Long seed;

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        if (n < 10) {
            throw new IllegalArgumentException("--n must be >= 10, got " + n);
        }
        Sizes.requireFits("--n", n, 256, TrainCommand.BYTES_PER_SAMPLE);
        if (llSamples < 0) {
            throw new IllegalArgumentException("--ll-samples must be >= 0, got " + llSamples);
        }
        if (llDraws < 1) {
            throw new IllegalArgumentException("--ll-draws must be >= 1, got " + llDraws);
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try (Backend be = device.open()) {
            SingleRun.Loaded l = SingleRun.load(be, run);
            int d = l.task().dim();
            long evalSeed = seed != null ? seed : l.config().seed();
            SyntheticEvaluation.Protocol protocol = SyntheticEvaluation.Protocol.quick().withSamples(n);
            ObjectNode root = json.createObjectNode();
            root.put("run", run.toString());
            root.put("step", l.step());
            root.put("seed", evalSeed);
            ObjectNode model = root.putObject("models").putObject(l.config().method().key());
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-9s %9s %9s %8s %5s%n", "sampler", "true_ll", "parzen_ll", "w1", "nfe"));
            var results = SyntheticEvaluation.evaluate(l.model(), l.task(), protocol, evalSeed, be);
            results.forEach((setting, r) -> {
                var sc = r.scores();
                ObjectNode sn = model.putObject(setting);
                JsonFiles.putNumber(sn, "true_ll", sc.trueLl());
                JsonFiles.putNumber(sn, "parzen_ll", sc.parzenLl());
                JsonFiles.putNumber(sn, "w1", sc.w1());
                sn.put("nfe", r.nfe());
                table.append(String.format(Locale.ROOT, "%-9s %9.3f %9.3f %8.4f %5d%n", setting, sc.trueLl(),
                        sc.parzenLl(), sc.w1(), r.nfe()));
            });
            if (llSamples > 0) {
                int m = llSamples;
                float[] test = SyntheticEvaluation.draw(l.task(), l.model().velocity(), Math.max(n, m), evalSeed, be).test();
                Tensor x1 = Tensor.of(be, java.util.Arrays.copyOf(test, m * d), m, d);
                boolean latent = l.model().latentDim() > 0;
                double[] lp = Likelihood.marginalLogProb(l.model().velocity(), x1, l.task().source()::logDensity, 50,
                        llDraws, new Rng(evalSeed).fork());
                double s = 0;
                for (double v : lp) {
                    s += v;
                }
                JsonFiles.putNumber(model, "model_ll", s / m);
                String kind = latent ? "marginal over z ~ N(0, I), importance-weighted (log-mean-exp over " + llDraws
                        + " prior draws per point; a lower bound in expectation)" : "exact (change of variables)";
                model.put("model_ll_kind", kind);
                if (latent) {
                    model.put("model_ll_draws", llDraws);
                }
                table.append(String.format(Locale.ROOT, "model log-likelihood of %d held-out target points (RK4, 50 steps%s): %.4f%n",
                        m, latent ? ", marginal over z, " + llDraws + " draws" : "", s / m));
            }
            AtomicFiles.writeString(run.resolve("metrics.json"), json.writeValueAsString(root));
            System.out.print(table);
        }
        return 0;
    }
}
