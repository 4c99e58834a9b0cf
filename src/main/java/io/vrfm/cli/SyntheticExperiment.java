package io.vrfm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrfm.backend.Backend;
import io.vrfm.data.SyntheticData;
import io.vrfm.eval.MeanStd;
import io.vrfm.eval.SyntheticEvaluation;
import io.vrfm.eval.SyntheticEvaluation.Settings;
import io.vrfm.flow.FlowModel;
import io.vrfm.flow.Method;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
import io.vrfm.io.AtomicFiles;
import io.vrfm.io.Checkpoint;
import io.vrfm.nn.PosteriorInput;

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
 * seeds, evaluate each model with {@link SyntheticEvaluation} (the same code {@code eval} uses), write
 * {@code metrics.json}, plots and a comparison table. The settings are {@link SyntheticEvaluation#forExperiment}.
 *
 * <p>Metrics per model × sampler setting (mean, std and per-seed values over seeds): see {@link SyntheticEvaluation}.
 */
public final class SyntheticExperiment {
    /** The metric names, in table order. */
    public static final String[] METRICS = SyntheticEvaluation.METRICS;

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
        return s.settingNames();
    }

    /** Trains, evaluates, plots; returns the comparison table (also printed). */
    public String run() throws IOException {
        long t0 = System.nanoTime();
        Path cfgFile = dir.resolve("config.json");
        if (resume && Files.isRegularFile(cfgFile)) {
            // the models and the training settings define a reproduce run; methods, seeds, evaluation may vary
            com.fasterxml.jackson.databind.JsonNode old;
            try {
                old = json.readTree(cfgFile.toFile());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IllegalArgumentException(cfgFile + " is not valid JSON (" + e.getOriginalMessage() + ")");
            }
            ObjectNode recorded = json.createObjectNode(), wanted = json.createObjectNode();
            ObjectNode now = configJson();
            for (String k : new String[]{"experiment", "task", "train"}) {
                recorded.set(k, old.get(k));
                wanted.set(k, now.get(k));
            }
            if (recorded.get("train") instanceof ObjectNode t && t.has("reduction") && !t.has("kl_reduction")) {
                // written before the KL had its own reduction: 'reduction' applied to both terms
                ObjectNode upgraded = t.deepCopy();
                upgraded.set("kl_reduction", t.get("reduction"));
                recorded.set("train", upgraded);
            }
            java.util.Set<String> growable = s.methods().contains(Method.CFM) ? java.util.Set.of() : java.util.Set.of("train.iters");
            RunSettings.requireSame(cfgFile, recorded, wanted, growable, java.util.Set.of());
        }
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
        SimdHealth health = SimdHealth.forThisThread(System.err, cfg.batch());
        double ema = Double.NaN;
        while (trainer.step() < cfg.iters()) {
            Trainer.StepStats st = trainer.trainStep();
            health.afterStep(trainer.step());
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

    /** Samples the model with every sampler setting ({@link SyntheticEvaluation}) and fills the per-seed values. */
    private void evaluate(FlowModel model, Method m, int seedIndex, long seed) {
        Map<String, SyntheticEvaluation.SettingResult> results =
                SyntheticEvaluation.evaluate(model, s.task(), s.protocol(), seed, be);
        results.forEach((setting, r) -> {
            Map<String, double[]> mv = values.get(m.key()).get(setting);
            mv.get("true_ll")[seedIndex] = r.scores().trueLl();
            mv.get("parzen_ll")[seedIndex] = r.scores().parzenLl();
            mv.get("w1")[seedIndex] = r.scores().w1();
            mv.get("nfe")[seedIndex] = r.nfe();
        });
    }

    void writeConfig() throws IOException {
        AtomicFiles.writeString(dir.resolve("config.json"), json.writeValueAsString(configJson()));
    }

    private ObjectNode configJson() {
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
        train.put("reduction", c.reduction().recon().name().toLowerCase(Locale.ROOT));
        train.put("kl_reduction", c.reduction().kl().name().toLowerCase(Locale.ROOT));
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
        ev.put("w1_points", s.protocol().w1PointsFor(s.task().dim()));
        return root;
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
        return SyntheticEvaluation.meanStd(v);
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
