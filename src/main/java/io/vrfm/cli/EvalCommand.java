package io.vrfm.cli;

import io.vrfm.backend.Devices;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrfm.backend.Backend;
import io.vrfm.eval.ParzenWindow;
import io.vrfm.eval.SampleMetrics;
import io.vrfm.eval.Wasserstein;
import io.vrfm.flow.Likelihood;
import io.vrfm.flow.SampleResult;
import io.vrfm.flow.Sampler;
import io.vrfm.flow.Samplers;
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
 * {@code nfe}) and the model's own log-likelihood of held-out target data by the change of variables
 * ({@code model_ll}; V-RFM at {@code z = 0}); writes {@code metrics.json} into the run directory.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a trained model (run directory from 'train'); writes metrics.json there.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "Run directory written by 'train'.")
    Path run;

    @Option(names = "--n", defaultValue = "2000", description = "Samples per setting (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--ll-samples", defaultValue = "500", description = "Held-out points for model_ll (0 = skip; default ${DEFAULT-VALUE}).")
    int llSamples;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws Exception {
        if (n < 10) {
            throw new IllegalArgumentException("--n must be >= 10, got " + n);
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try (Backend be = Devices.open(device, System.err::println)) {
            SingleRun.Loaded l = SingleRun.load(be, run);
            int d = l.task().dim();
            Rng rng = new Rng(seed);
            float[] x0 = l.task().source().sample(rng.fork(), n);
            float[] valid = l.task().target().sample(rng.fork(), n);
            float[] test = l.task().target().sample(rng.fork(), n);
            Tensor z = Samplers.drawLatent(l.model().velocity(), n, rng.fork(), be);
            ObjectNode root = json.createObjectNode();
            root.put("run", run.toString());
            root.put("step", l.step());
            ObjectNode model = root.putObject("models").putObject(l.config().method().key());
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-9s %9s %9s %8s %5s%n", "sampler", "true_ll", "parzen_ll", "w1", "nfe"));
            for (String setting : new String[]{"euler_1", "euler_2", "euler_4", "euler_5", "euler_8", "euler_10",
                    "euler_16", "euler_20", "dopri5"}) {
                Sampler how = setting.equals("dopri5") ? Sampler.dopri5(1e-5, 1e-5)
                        : Sampler.euler(Integer.parseInt(setting.substring(6)));
                SampleResult r = how.sample(l.model().velocity(), Tensor.of(be, x0, n, d), z);
                float[] gen = r.x().toArray();
                double tl = SampleMetrics.trueLogLikelihood(gen, n, l.task().target());
                double h = ParzenWindow.selectBandwidth(gen, n, valid, n, d, ParzenWindow.defaultBandwidths());
                double pl = ParzenWindow.logLikelihood(gen, n, test, n, d, h);
                int k = d == 1 ? n : Math.min(n, 500);
                double w1 = d == 1 ? Wasserstein.w1Exact1d(gen, test)
                        : Wasserstein.w1Exact(java.util.Arrays.copyOf(gen, k * d), java.util.Arrays.copyOf(test, k * d), k, d);
                ObjectNode sn = model.putObject(setting);
                sn.put("true_ll", tl);
                sn.put("parzen_ll", pl);
                sn.put("w1", w1);
                sn.put("nfe", r.nfe());
                table.append(String.format(Locale.ROOT, "%-9s %9.3f %9.3f %8.4f %5d%n", setting, tl, pl, w1, r.nfe()));
            }
            if (llSamples > 0) {
                int m = llSamples;
                Tensor x1 = Tensor.of(be, java.util.Arrays.copyOf(test, m * d), m, d);
                Tensor z0 = l.model().latentDim() == 0 ? null : Tensor.zeros(be, m, l.model().latentDim());
                double[] lp = Likelihood.logProb(l.model().velocity(), z0, x1, l.task().source()::logDensity, 50, rng.fork());
                double s = 0;
                for (double v : lp) {
                    s += v;
                }
                model.put("model_ll", s / m);
                table.append(String.format(Locale.ROOT, "model log-likelihood of %d held-out target points (RK4, 50 steps%s): %.4f%n",
                        m, l.model().latentDim() == 0 ? "" : ", z = 0", s / m));
            }
            AtomicFiles.writeString(run.resolve("metrics.json"), json.writeValueAsString(root));
            System.out.print(table);
        }
        return 0;
    }
}
