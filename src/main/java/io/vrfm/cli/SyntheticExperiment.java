package io.vrfm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrfm.backend.Backend;
import io.vrfm.data.SyntheticData;
import io.vrfm.eval.MeanStd;
import io.vrfm.eval.ParzenWindow;
import io.vrfm.eval.SampleMetrics;
import io.vrfm.eval.Wasserstein;
import io.vrfm.flow.FlowModel;
import io.vrfm.flow.Method;
import io.vrfm.flow.SampleResult;
import io.vrfm.flow.Sampler;
import io.vrfm.flow.Samplers;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
import io.vrfm.io.AtomicFiles;
import io.vrfm.io.Checkpoint;
import io.vrfm.nn.PosteriorInput;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's synthetic experiments end to end (Sec. 4.1, 4.2, App. C.1): train RFM, V-RFM and consistency FM over
 * seeds, sample with Euler at several step counts and with Dopri5, score the samples, write {@code metrics.json},
 * plots and a comparison table.
 *
 * <p>Metrics per model × sampler setting (mean, std and per-seed values over seeds):
 * <ul>
 *   <li>{@code true_ll}: mean log-density of the known target at the generated samples;</li>
 *   <li>{@code parzen_ll}: a Gaussian KDE fitted on the generated samples, scored on held-out true samples, its
 *       bandwidth chosen (from 20 log-spaced values in [1e-3, 1]) on a separate validation set of true samples;</li>
 *   <li>{@code w1}: Wasserstein-1 between generated and true samples — exact (sorted) in 1-D; in 2-D the exact
 *       optimal matching on the first {@code w1Points} points of each;</li>
 *   <li>{@code nfe}: velocity evaluations per sample (Euler: the steps; Dopri5: counted, rtol = atol = 1e-5).</li>
 * </ul>
 */
public final class SyntheticExperiment {
    public static final int[] EULER_STEPS = {1, 2, 4, 5, 8, 10, 16, 20};
    public static final String[] METRICS = {"true_ll", "parzen_ll", "w1", "nfe"};

    /** Everything that defines one reproduce run. */
    public record Settings(String experiment, SyntheticData.Task task, TrainConfig base, List<Method> methods,
                           List<Long> seeds, int evalSamples, int[] eulerSteps, boolean dopri5, int w1Points,
                           int checkpointEvery, boolean quick) {
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
            return new Settings(name, task, base.withIters(QUICK_ITERS).withBatch(QUICK_BATCH), methods, List.of(0L),
                    2000, EULER_STEPS, true, 500, 0, true);
        }
        return new Settings(name, task, base, methods, List.of(0L, 1L, 2L), 5000, EULER_STEPS, true, 1000, 2000, false);
    }

    /** The {@code --quick} budget (see the README): iterations and batch per model. */
    public static final int QUICK_ITERS = 1500, QUICK_BATCH = 256;

    private final Settings s;
    private final Backend be;
    private final Path dir;
    private final boolean resume;
    private final PrintStream out;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** model → setting → metric → value per seed (NaN until measured). */
    private final Map<String, Map<String, Map<String, double[]>>> values = new LinkedHashMap<>();

    public SyntheticExperiment(Settings s, Backend be, Path dir, boolean resume, PrintStream out) {
        this.s = s;
        this.be = be;
        this.dir = dir;
        this.resume = resume;
        this.out = out;
        for (Method m : s.methods()) {
            Map<String, Map<String, double[]>> bySetting = new LinkedHashMap<>();
            for (String setting : settingNames()) {
                Map<String, double[]> byMetric = new LinkedHashMap<>();
                for (String metric : METRICS) {
                    double[] v = new double[s.seeds().size()];
                    java.util.Arrays.fill(v, Double.NaN);
                    byMetric.put(metric, v);
                }
                bySetting.put(setting, byMetric);
            }
            values.put(m.key(), bySetting);
        }
    }

    public List<String> settingNames() {
        List<String> names = new ArrayList<>();
        for (int k : s.eulerSteps()) {
            names.add("euler_" + k);
        }
        if (s.dopri5()) {
            names.add("dopri5");
        }
        return names;
    }

    /** Trains, evaluates, plots; returns the comparison table (also printed). */
    public String run() throws IOException {
        long t0 = System.nanoTime();
        writeConfig();
        Map<String, FlowModel> firstSeedModels = new LinkedHashMap<>();
        for (int si = 0; si < s.seeds().size(); si++) {
            long seed = s.seeds().get(si);
            for (Method m : s.methods()) {
                FlowModel model = trainOrLoad(m, seed);
                evaluate(model, m, si, seed);
                writeMetrics((System.nanoTime() - t0) / 1e9);
                if (si == 0) {
                    firstSeedModels.put(m.key(), model);
                }
            }
        }
        try {
            new SyntheticPlots(s, be, dir.resolve("plots"), values, settingNames()).write(firstSeedModels, s.seeds().get(0));
        } catch (IOException | RuntimeException e) {
            out.println("warning: plots failed: " + e);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        writeMetrics(secs);
        String table = table();
        out.println(table);
        out.printf(Locale.ROOT, "%s: %d model(s) x %d seed(s) in %.1f s; run directory %s%n", s.experiment(),
                s.methods().size(), s.seeds().size(), secs, dir);
        AtomicFiles.writeString(dir.resolve("table.txt"), table + "\n");
        return table;
    }

    /** The paper's independent coupling of a task's source and target. */
    static io.vrfm.flow.Coupling coupling(SyntheticData.Task task) {
        return io.vrfm.flow.Coupling.independent(task.dim(), task.source()::sample, task.target()::sample);
    }

    private TrainConfig configFor(Method m, long seed) {
        return s.base().withMethod(m).withSeed(seed);
    }

    private FlowModel trainOrLoad(Method m, long seed) throws IOException {
        TrainConfig cfg = configFor(m, seed);
        Trainer trainer = new Trainer(be, coupling(s.task()), cfg);
        Path ckpt = dir.resolve("checkpoints").resolve(m.key() + "-seed" + seed + ".safetensors");
        if (resume && Files.exists(ckpt)) {
            int step = Checkpoint.load(ckpt, trainer.model(), trainer.optimizer(), null);
            trainer.setStep(step);
            if (step >= cfg.iters()) {
                out.printf(Locale.ROOT, "%s seed %d: loaded finished checkpoint (%d steps)%n", m.key(), seed, step);
                return trainer.model();
            }
            out.printf(Locale.ROOT, "%s seed %d: resuming at step %d%n", m.key(), seed, step);
        }
        train(trainer, ckpt, "train " + m.key() + " seed " + seed);
        return trainer.model();
    }

    /** Runs the trainer to its configured iterations with a progress bar and atomic checkpoints. */
    static void train(Trainer trainer, Path ckpt, String label, int checkpointEvery) throws IOException {
        TrainConfig cfg = trainer.config();
        ProgressBar bar = new ProgressBar(label, cfg.iters());
        double ema = Double.NaN;
        while (trainer.step() < cfg.iters()) {
            Trainer.StepStats st = trainer.trainStep();
            ema = Double.isNaN(ema) ? st.total() : 0.98 * ema + 0.02 * st.total();
            String status = String.format(Locale.ROOT, "loss %.4f", ema)
                    + (Double.isNaN(st.kl()) ? "" : String.format(Locale.ROOT, " (recon %.4f kl %.4f)", st.recon(), st.kl()));
            bar.update(trainer.step(), status);
            if (checkpointEvery > 0 && trainer.step() % checkpointEvery == 0 && trainer.step() < cfg.iters()) {
                save(trainer, ckpt);
            }
        }
        if (cfg.iters() == 0) {
            bar.update(0, "");
        }
        save(trainer, ckpt);
    }

    private void train(Trainer trainer, Path ckpt, String label) throws IOException {
        train(trainer, ckpt, label, s.checkpointEvery());
    }

    static void save(Trainer trainer, Path ckpt) throws IOException {
        TrainConfig cfg = trainer.config();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("method", cfg.method().key());
        meta.put("seed", Long.toString(cfg.seed()));
        meta.put("latent_dim", Integer.toString(cfg.latentDim()));
        meta.put("posterior_inputs", PosteriorInput.format(cfg.posteriorInputs()));
        Checkpoint.save(ckpt, trainer.model(), trainer.optimizer(), null, trainer.step(), meta);
    }

    /** Samples the model with every sampler setting and fills the per-seed metric values. */
    private void evaluate(FlowModel model, Method m, int seedIndex, long seed) {
        int n = s.evalSamples(), d = s.task().dim();
        Rng evalRng = new Rng(1_000_003L * (seed + 1));
        float[] x0 = s.task().source().sample(evalRng.fork(), n);
        Rng zRng = evalRng.fork();
        float[] valid = s.task().target().sample(evalRng.fork(), n);
        float[] test = s.task().target().sample(evalRng.fork(), n);
        Tensor z = Samplers.drawLatent(model.velocity(), n, zRng, be);
        for (String setting : settingNames()) {
            Sampler how = setting.equals("dopri5") ? Sampler.dopri5(1e-5, 1e-5)
                    : Sampler.euler(Integer.parseInt(setting.substring("euler_".length())));
            SampleResult r = how.sample(model.velocity(), Tensor.of(be, x0, n, d), z);
            float[] gen = r.x().toArray();
            Map<String, double[]> mv = values.get(m.key()).get(setting);
            Scores sc = score(gen, valid, test, n, d);
            mv.get("true_ll")[seedIndex] = sc.trueLl;
            mv.get("parzen_ll")[seedIndex] = sc.parzenLl;
            mv.get("w1")[seedIndex] = sc.w1;
            mv.get("nfe")[seedIndex] = r.nfe();
        }
    }

    private record Scores(double trueLl, double parzenLl, double w1) {
    }

    private Scores score(float[] gen, float[] valid, float[] test, int n, int d) {
        boolean finite = true;
        for (float v : gen) {
            if (!Float.isFinite(v)) {
                finite = false;
                break;
            }
        }
        if (!finite) {
            return new Scores(Double.NaN, Double.NaN, Double.NaN);
        }
        double trueLl = SampleMetrics.trueLogLikelihood(gen, n, s.task().target());
        double h = ParzenWindow.selectBandwidth(gen, n, valid, n, d, ParzenWindow.defaultBandwidths());
        double parzen = ParzenWindow.logLikelihood(gen, n, test, n, d, h);
        double w1;
        if (d == 1) {
            w1 = Wasserstein.w1Exact1d(gen, test);
        } else {
            int k = Math.min(n, s.w1Points());
            w1 = Wasserstein.w1Exact(java.util.Arrays.copyOf(gen, k * d), java.util.Arrays.copyOf(test, k * d), k, d);
        }
        return new Scores(trueLl, parzen, w1);
    }

    private void writeConfig() throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("experiment", s.experiment());
        root.put("quick", s.quick());
        root.put("task", s.task().name());
        root.put("source", s.task().source().name());
        root.put("target", s.task().target().name());
        root.put("dim", s.task().dim());
        root.put("device", be.name());
        ArrayNode methods = root.putArray("methods");
        s.methods().forEach(m -> methods.add(m.key()));
        ArrayNode seeds = root.putArray("seeds");
        s.seeds().forEach(seeds::add);
        TrainConfig c = s.base();
        ObjectNode train = root.putObject("train");
        train.put("iters", c.iters());
        train.put("batch", c.batch());
        train.put("optimizer", "AdamW");
        train.put("lr", c.lr());
        train.put("weight_decay", c.weightDecay());
        train.put("lambda", c.lambda());
        train.put("latent_dim", c.latentDim());
        train.put("posterior_inputs", PosteriorInput.format(c.posteriorInputs()));
        train.put("reduction", c.reduction().name().toLowerCase(Locale.ROOT));
        ObjectNode cfm = train.putObject("consistency");
        cfm.put("delta", c.consistency().delta());
        cfm.put("segments", c.consistency().segments());
        cfm.put("alpha", c.consistency().alpha());
        cfm.put("stage2_boundary", c.consistency().stage2Boundary());
        ObjectNode ev = root.putObject("eval");
        ev.put("samples", s.evalSamples());
        ArrayNode steps = ev.putArray("euler_steps");
        for (int k : s.eulerSteps()) {
            steps.add(k);
        }
        ev.put("dopri5", s.dopri5() ? "rtol=1e-5, atol=1e-5" : "off");
        ev.put("w1_points", s.task().dim() == 1 ? s.evalSamples() : Math.min(s.evalSamples(), s.w1Points()));
        AtomicFiles.writeString(dir.resolve("config.json"), json.writeValueAsString(root));
    }

    private void writeMetrics(double seconds) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("experiment", s.experiment());
        root.put("quick", s.quick());
        root.put("seconds", Math.round(seconds * 10) / 10.0);
        ArrayNode seeds = root.putArray("seeds");
        s.seeds().forEach(seeds::add);
        ObjectNode models = root.putObject("models");
        values.forEach((model, bySetting) -> {
            ObjectNode mn = models.putObject(model);
            bySetting.forEach((setting, byMetric) -> {
                ObjectNode sn = mn.putObject(setting);
                byMetric.forEach((metric, v) -> {
                    ObjectNode e = sn.putObject(metric);
                    MeanStd ms = meanStd(v);
                    putNumber(e, "mean", ms.mean());
                    putNumber(e, "std", ms.std());
                    ArrayNode per = e.putArray("per_seed");
                    for (double x : v) {
                        if (Double.isFinite(x)) {
                            per.add(x);
                        } else {
                            per.addNull();
                        }
                    }
                });
            });
        });
        AtomicFiles.writeString(dir.resolve("metrics.json"), json.writeValueAsString(root));
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    /** Mean and std over the seeds measured so far (NaN entries skipped). */
    static MeanStd meanStd(double[] v) {
        double[] finite = java.util.Arrays.stream(v).filter(Double::isFinite).toArray();
        return MeanStd.of(finite);
    }

    /** Rows = sampler settings; columns = model × metric, "mean±std". */
    public String table() {
        List<String> header = new ArrayList<>();
        header.add("sampler");
        for (String model : values.keySet()) {
            for (String metric : METRICS) {
                header.add(model + ":" + metric);
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (String setting : settingNames()) {
            List<String> row = new ArrayList<>();
            row.add(setting);
            for (String model : values.keySet()) {
                for (String metric : METRICS) {
                    MeanStd ms = meanStd(values.get(model).get(setting).get(metric));
                    row.add(metric.equals("nfe") ? String.format(Locale.ROOT, "%.0f", ms.mean())
                            : s.seeds().size() > 1 ? String.format(Locale.ROOT, "%.3f±%.3f", ms.mean(), ms.std())
                            : String.format(Locale.ROOT, "%.3f", ms.mean()));
                }
            }
            rows.add(row);
        }
        int[] w = new int[header.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = header.get(c).length();
            for (List<String> r : rows) {
                w[c] = Math.max(w[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(s.experiment()).append(" (").append(s.seeds().size()).append(" seed(s), ")
                .append(s.base().iters()).append(" iterations, batch ").append(s.base().batch())
                .append("; true_ll/parzen_ll: higher is better, w1: lower is better)\n");
        appendRow(sb, header, w);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < w.length; c++) {
            rule.append(c == 0 ? "" : "-+-").append("-".repeat(w[c]));
        }
        sb.append(rule).append('\n');
        for (List<String> r : rows) {
            appendRow(sb, r, w);
        }
        return sb.toString().stripTrailing();
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] w) {
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                sb.append(" | ");
            }
            String cell = cells.get(c);
            sb.append(c == 0 ? String.format("%-" + w[c] + "s", cell) : String.format("%" + w[c] + "s", cell));
        }
        sb.append('\n');
    }

    public Map<String, Map<String, Map<String, double[]>>> values() {
        return values;
    }
}
