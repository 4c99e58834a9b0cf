package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.data.Distribution;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.FlowModel;
import io.vrfm.flow.Method;
import io.vrfm.flow.SampleResult;
import io.vrfm.flow.Sampler;
import io.vrfm.flow.Samplers;
import io.vrfm.flow.TrainConfig;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's synthetic evaluation (Sec. 4.1, 4.2, App. C.1), one implementation for {@code reproduce} and
 * {@code eval}: sample a model with Euler at several step counts and with Dopri5 from the same {@code x0} and
 * {@code z}, and score each sample set.
 *
 * <p>Metrics per sampler setting:
 * <ul>
 *   <li>{@code true_ll}: mean log-density of the known target at the generated samples;</li>
 *   <li>{@code parzen_ll}: a Gaussian KDE fitted on the generated samples, scored on held-out true samples, its
 *       bandwidth chosen (from 20 log-spaced values in [1e-3, 1]) on a separate validation set of true samples;</li>
 *   <li>{@code w1}: Wasserstein-1 between generated and true samples — exact (sorted) in 1-D; in 2-D the exact
 *       optimal matching on the first {@code w1Points} points of each;</li>
 *   <li>{@code nfe}: velocity evaluations per sample (Euler: the steps; Dopri5: counted, rtol = atol = 1e-5).</li>
 * </ul>
 * A sample set with any non-finite value (a diverged model) scores NaN on the three sample metrics instead of
 * failing the run; reports print NaN and JSON writes null.
 */
public final class SyntheticEvaluation {
    /** The Euler step counts of the paper's tables. */
    public static final int[] EULER_STEPS = {1, 2, 4, 5, 8, 10, 16, 20};
    /** The metric names, in table order. */
    public static final String[] METRICS = {"true_ll", "parzen_ll", "w1", "nfe"};
    /** The {@code --quick} budget (see the README): iterations and batch per model. */
    public static final int QUICK_ITERS = 1500, QUICK_BATCH = 256;

    private SyntheticEvaluation() {
    }

    /**
     * How one model is evaluated: {@code samples} generated (and as many true) points per setting, Euler at
     * {@code eulerSteps}, Dopri5 when {@code dopri5}, exact W1 in 2-D on the first {@code w1Points} points.
     */
    public record Protocol(int samples, int[] eulerSteps, boolean dopri5, int w1Points) {
        public Protocol {
            if (samples < 10) {
                throw new IllegalArgumentException("evaluation samples must be >= 10, got " + samples);
            }
            if (w1Points < 1) {
                throw new IllegalArgumentException("w1 points must be >= 1, got " + w1Points);
            }
        }

        /** The reduced budget of {@code --quick} (and the default of {@code eval}): 2000 samples, W1 on 500. */
        public static Protocol quick() {
            return new Protocol(2000, EULER_STEPS, true, 500);
        }

        /** The paper-size evaluation: 5000 samples, W1 on 1000. */
        public static Protocol full() {
            return new Protocol(5000, EULER_STEPS, true, 1000);
        }

        /** The same protocol with {@code n} samples per setting. */
        public Protocol withSamples(int n) {
            return new Protocol(n, eulerSteps, dopri5, w1Points);
        }

        /** Setting names in table order: {@code euler_1} … {@code euler_20}, then {@code dopri5}. */
        public List<String> settingNames() {
            List<String> names = new ArrayList<>();
            for (int k : eulerSteps) {
                names.add("euler_" + k);
            }
            if (dopri5) {
                names.add("dopri5");
            }
            return names;
        }

        /** The number of points W1 is computed on for a task of dimension {@code dim}. */
        public int w1PointsFor(int dim) {
            return dim == 1 ? samples : Math.min(samples, w1Points);
        }
    }

    /** Everything that defines one synthetic reproduce run: task, training budget, models, seeds and evaluation. */
    public record Settings(String experiment, SyntheticData.Task task, TrainConfig base, List<Method> methods,
                           List<Long> seeds, int evalSamples, int[] eulerSteps, boolean dopri5, int w1Points,
                           int checkpointEvery, boolean quick) {

        /** The evaluation part of these settings. */
        public Protocol protocol() {
            return new Protocol(evalSamples, eulerSteps, dopri5, w1Points);
        }

        /** Setting names in table order (see {@link Protocol#settingNames()}). */
        public List<String> settingNames() {
            return protocol().settingNames();
        }
    }

    /**
     * The settings of {@code synthetic-1d} / {@code synthetic-2d}: the paper's budget (20k iterations, batch 1000, 3
     * seeds) or, with {@code quick}, the documented reduced budget: 1 seed, 1500 iterations at batch 256, 2000
     * evaluation samples — minutes on two CPU cores.
     */
    public static Settings forExperiment(String name, boolean quick) {
        SyntheticData.Task task;
        TrainConfig base;
        switch (name) {
            case "synthetic-1d":
                task = SyntheticData.oneD();
                base = TrainConfig.paper1d(Method.RFM, 0);
                break;
            case "synthetic-2d":
                task = SyntheticData.twoD();
                base = TrainConfig.paper2d(Method.RFM, 0);
                break;
            default:
                throw new IllegalArgumentException("unknown experiment '" + name + "' (synthetic-1d, synthetic-2d)");
        }
        List<Method> methods = List.of(Method.RFM, Method.VRFM, Method.CFM);
        if (quick) {
            Protocol p = Protocol.quick();
            return new Settings(name, task, base.withIters(QUICK_ITERS).withBatch(QUICK_BATCH), methods, List.of(0L),
                    p.samples(), p.eulerSteps(), p.dopri5(), p.w1Points(), 0, true);
        }
        Protocol p = Protocol.full();
        return new Settings(name, task, base, methods, List.of(0L, 1L, 2L), p.samples(), p.eulerSteps(), p.dopri5(),
                p.w1Points(), 2000, false);
    }

    /** The three sample metrics of one sample set (NaN each when the samples are not all finite). */
    public record Scores(double trueLl, double parzenLl, double w1) {
    }

    /** The scores and the velocity evaluations per sample of one sampler setting. */
    public record SettingResult(Scores scores, int nfe) {
    }

    /** The evaluation data of one seed: source points, latents, and validation / test points of the target. */
    public record Draws(float[] x0, Tensor z, float[] valid, float[] test) {
    }

    /**
     * Draws the evaluation data of {@code seed}: one stream {@code Rng(1_000_003·(seed + 1))} forked, in order, into
     * {@code x0}, {@code z} (via {@link Samplers#drawLatent}), the validation and the test points.
     */
    public static Draws draw(SyntheticData.Task task, VelocityField velocity, int n, long seed, Backend be) {
        Rng evalRng = new Rng(1_000_003L * (seed + 1));
        float[] x0 = task.source().sample(evalRng.fork(), n);
        Rng zRng = evalRng.fork();
        float[] valid = task.target().sample(evalRng.fork(), n);
        float[] test = task.target().sample(evalRng.fork(), n);
        Tensor z = Samplers.drawLatent(velocity, n, zRng, be);
        return new Draws(x0, z, valid, test);
    }

    /**
     * Samples {@code model} with every setting of {@code protocol} from the data of {@code seed} ({@link #draw}) and
     * scores each; returns setting name → result in table order.
     */
    public static Map<String, SettingResult> evaluate(FlowModel model, SyntheticData.Task task, Protocol protocol,
                                                      long seed, Backend be) {
        int n = protocol.samples(), d = task.dim();
        Draws dr = draw(task, model.velocity(), n, seed, be);
        Map<String, SettingResult> out = new LinkedHashMap<>();
        for (String setting : protocol.settingNames()) {
            Sampler how = setting.equals("dopri5") ? Sampler.dopri5(1e-5, 1e-5)
                    : Sampler.euler(Integer.parseInt(setting.substring("euler_".length())));
            SampleResult r = how.sample(model.velocity(), Tensor.of(be, dr.x0(), n, d), dr.z());
            float[] gen = r.x().toArray();
            out.put(setting, new SettingResult(score(gen, dr.valid(), dr.test(), n, task.target(), protocol.w1Points()),
                    r.nfe()));
        }
        return out;
    }

    /**
     * Scores {@code n} generated points {@code gen} against the target: true log-likelihood, Parzen log-likelihood
     * (bandwidth chosen on {@code valid}, scored on {@code test}) and W1 against {@code test} (exact in 1-D; on the
     * first {@code w1Points} points otherwise). Any non-finite generated value gives NaN for all three.
     */
    public static Scores score(float[] gen, float[] valid, float[] test, int n, Distribution target, int w1Points) {
        int d = target.dim();
        for (float v : gen) {
            if (!Float.isFinite(v)) {
                return new Scores(Double.NaN, Double.NaN, Double.NaN);
            }
        }
        double trueLl = SampleMetrics.trueLogLikelihood(gen, n, target);
        double h = ParzenWindow.selectBandwidth(gen, n, valid, n, d, ParzenWindow.defaultBandwidths());
        double parzen = ParzenWindow.logLikelihood(gen, n, test, n, d, h);
        double w1;
        if (d == 1) {
            w1 = Wasserstein.w1Exact1d(gen, test);
        } else {
            int k = Math.min(n, w1Points);
            w1 = Wasserstein.w1Exact(Arrays.copyOf(gen, k * d), Arrays.copyOf(test, k * d), k, d);
        }
        return new Scores(trueLl, parzen, w1);
    }

    /** Mean and std over the seeds measured so far (NaN entries, i.e. not yet measured or diverged, skipped). */
    public static MeanStd meanStd(double[] perSeed) {
        return MeanStd.of(Arrays.stream(perSeed).filter(Double::isFinite).toArray());
    }
}
