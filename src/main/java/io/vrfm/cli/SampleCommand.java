package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.cli.plot.Plots;
import io.vrfm.flow.Sampler;
import io.vrfm.flow.SampleResult;
import io.vrfm.flow.Samplers;
import io.vrfm.io.AtomicFiles;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sample}: draws samples from a trained run with a chosen sampler; writes CSV and a plot. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample a trained model (run directory from 'train'); writes samples-<sampler><steps>.csv and .png.")
public final class SampleCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "Run directory written by 'train'.")
    Path run;

    @Option(names = "--sampler", defaultValue = "euler", description = "euler, heun, dopri5 or em (Euler–Maruyama); default ${DEFAULT-VALUE}.")
    String sampler;

    @Option(names = "--steps", defaultValue = "20", description = "Steps for euler/heun/em (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--n", defaultValue = "2000", description = "Number of samples (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of x0 and z (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--em-epsilon", defaultValue = "1.0",
            description = "Euler–Maruyama diffusion scale ε >= 0, w(t) = ε(1−t) (default ${DEFAULT-VALUE}).")
    float emEpsilon;

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        Sizes.requireFits("--n", n, 256, TrainCommand.BYTES_PER_SAMPLE);
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        }
        if (!(emEpsilon >= 0) || Float.isInfinite(emEpsilon)) {
            throw new IllegalArgumentException("--em-epsilon must be >= 0, got " + emEpsilon);
        }
        try (Backend be = device.open()) {
            SingleRun.Loaded l = SingleRun.load(be, run);
            if (sampler.equals("em") && !l.task().source().name().startsWith("normal")) {
                System.err.println("warning: the Euler–Maruyama drift uses the score of a standard normal source; "
                        + l.task().source().name() + " is not one, so em samples are biased (use euler/heun/dopri5)");
            }
            int d = l.task().dim();
            Rng rng = new Rng(seed);
            Tensor x0 = Tensor.of(be, l.task().source().sample(rng.fork(), n), n, d);
            Tensor z = Samplers.drawLatent(l.model().velocity(), n, rng.fork(), be);
            Sampler how;
            switch (sampler) {
                case "euler": how = Sampler.euler(steps); break;
                case "heun": how = Sampler.heun(steps); break;
                case "dopri5": how = Sampler.dopri5(1e-5, 1e-5); break;
                case "em": how = Sampler.eulerMaruyama(steps, emEpsilon); break;
                default: throw new IllegalArgumentException("--sampler must be euler, heun, dopri5 or em, got '" + sampler + "'");
            }
            SampleResult r = how.sample(l.model().velocity(), x0, z, how instanceof Sampler.EulerMaruyama ? rng.fork() : null);
            float[] xs = r.x().toArray();
            StringBuilder csv = new StringBuilder();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    csv.append(j == 0 ? "" : ",").append(xs[i * d + j]);
                }
                csv.append('\n');
            }
            String name = "samples-" + sampler + (sampler.equals("dopri5") ? "" : Integer.toString(steps));
            AtomicFiles.writeString(run.resolve(name + ".csv"), csv.toString());
            Map<String, float[]> series = new LinkedHashMap<>();
            series.put("target", l.task().target().sample(rng.fork(), n));
            series.put(l.config().method().key(), xs);
            if (d == 1) {
                Plots.histograms1d(run.resolve(name + ".png"), name, series, 80, -2.5, 2.5);
            } else if (d == 2) {
                Plots.scatter2d(run.resolve(name + ".png"), name, series);
            }
            double ll = Double.NaN;
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += l.task().target().logDensity(xs, i * d);
            }
            ll = s / n;
            System.out.printf(Locale.ROOT, "%d samples with %s (NFE %d) -> %s.csv; true log-likelihood %.4f%n", n,
                    sampler, r.nfe(), run.resolve(name), ll);
        }
        return 0;
    }
}
