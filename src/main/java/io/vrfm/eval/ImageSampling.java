package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.flow.Ode;
import io.vrfm.flow.SampleResult;
import io.vrfm.flow.Samplers;
import io.vrfm.data.ImageSet;
import io.vrfm.nn.ClassConditionalField;
import io.vrfm.nn.ClassifierFreeGuidance;
import io.vrfm.nn.SmallCnn;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Image generation and the NFE sweep: {@code x0 ~ N(0, I)} and (V-RFM) {@code z ~ N(0, I)} drawn once per image
 * (Alg. 2), integrated from 0 to 1 by Euler with a fixed step count or by adaptive Dopri5; scored by a
 * {@link ClassifierFid} (classifier- or Inception FID; every row names which).
 */
public final class ImageSampling {
    private ImageSampling() {
    }

    /** One sampler setting: {@code euler} with {@code steps}, or {@code dopri5} with {@code tol} (rtol = atol). */
    public record SamplerSpec(String sampler, int steps, double tol) {
        public static SamplerSpec euler(int steps) {
            return new SamplerSpec("euler", steps, 0);
        }

        public static SamplerSpec dopri5(double tol) {
            return new SamplerSpec("dopri5", 0, tol);
        }

        /** SiT's SDE sampler ({@link io.vrfm.flow.Sampler#sitSde}, diffusion norm 1) with {@code steps}. */
        public static SamplerSpec sitSde(int steps) {
            return new SamplerSpec("sit-sde", steps, 0);
        }

        public String label() {
            return sampler.equals("dopri5") ? "dopri5" : sampler + "-" + steps;
        }
    }

    /** Generates {@code n} images of {@code shape} (C, H, W) in chunks; returns the images and the mean NFE. */
    public record Generated(Tensor images, double meanNfe) {
    }

    /**
     * The requested classes of a class-conditional field's samples and the classifier-free guidance scale
     * ({@link ClassifierFreeGuidance}: 1 = the conditional field, 0 = the unconditional one; above 1 one doubled
     * batch per evaluation, so the NFE counts stay those of the sampler while the work doubles).
     *
     * @param classes the class of sample {@code i} is {@code classes[i % classes.length]}
     */
    public record Conditioning(int[] classes, float scale, ClassifierFreeGuidance.Channels channels) {
        /** Checks the scale is finite. */
        public Conditioning {
            if (classes.length == 0 || !Float.isFinite(scale)) {
                throw new IllegalArgumentException("conditioning: needs classes and a finite guidance scale, got "
                        + classes.length + " classes, scale " + scale);
            }
        }

        /** Every class in turn ({@code i % k}): balanced samples for FID and accuracy. */
        public static Conditioning balanced(int k, float scale) {
            int[] c = new int[k];
            for (int i = 0; i < k; i++) c[i] = i;
            return new Conditioning(c, scale, ClassifierFreeGuidance.Channels.ALL);
        }

        /** One class only. */
        public static Conditioning single(int k, float scale) {
            return new Conditioning(new int[]{k}, scale, ClassifierFreeGuidance.Channels.ALL);
        }

        /** A grid with one row of {@code perRow} samples per class: sample {@code i} has class {@code i / perRow}. */
        public static Conditioning rows(int k, int perRow, float scale) {
            int[] c = new int[k * perRow];
            for (int i = 0; i < c.length; i++) c[i] = i / perRow;
            return new Conditioning(c, scale, ClassifierFreeGuidance.Channels.ALL);
        }

        /** The same classes and scale with guidance applied to {@code rule}'s channels. */
        public Conditioning withChannels(ClassifierFreeGuidance.Channels rule) {
            return new Conditioning(classes, scale, rule);
        }

        /** The class of sample {@code i}. */
        public int classOf(int i) {
            return classes[i % classes.length];
        }

        /** The field that samples {@code b} rows starting at sample {@code start}: guided, or with the labels fixed. */
        public VelocityField field(VelocityField f, Backend be, int start, int b) {
            if (!(f instanceof ClassConditionalField c) || c.numClasses() == 0) {
                throw new IllegalArgumentException("class-conditional sampling needs a class-conditional model "
                        + "(train-image --class-cond)");
            }
            float[] y = new float[b];
            for (int i = 0; i < b; i++) {
                int k = classOf(start + i);
                if (k < 0 || k >= c.numClasses()) {
                    throw new IllegalArgumentException("--class " + k + " is not in [0, " + c.numClasses() + ")");
                }
                y[i] = k;
            }
            Tensor labels = Tensor.of(be, y, b);
            return scale == 1f ? c.withLabels(labels) : new ClassifierFreeGuidance(c, labels, scale, channels);
        }
    }

    public static Generated generate(Backend be, VelocityField field, int n, int[] chw, SamplerSpec spec, Rng rng, int chunk) {
        return generate(be, field, n, chw, spec, rng, chunk, null);
    }

    /**
     * As {@link #generate(Backend, VelocityField, int, int[], SamplerSpec, Rng, int)}, class-conditional when
     * {@code cond} is not null; one {@code x0} and one {@code z} per image either way (with guidance both halves
     * of the doubled batch share them).
     */
    public static Generated generate(Backend be, VelocityField field, int n, int[] chw, SamplerSpec spec, Rng rng,
                                     int chunk, Conditioning cond) {
        float[] all = new float[n * chw[0] * chw[1] * chw[2]];
        double nfe = 0;
        int chunks = 0;
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (int s = 0; s < n; s += chunk) {
                int b = Math.min(chunk, n - s);
                Tensor x0 = Tensor.randn(be, rng, b, chw[0], chw[1], chw[2]);
                Tensor z = Samplers.drawLatent(field, b, rng, be);
                VelocityField fb = cond == null ? field : cond.field(field, be, s, b);
                SampleResult r = spec.sampler().equals("sit-sde")
                        ? Samplers.sitSde(Ode.of(fb, z), x0, spec.steps(), 1f, rng, false)
                        : integrate(fb, x0, z, spec);
                float[] px = r.x().toArray();
                System.arraycopy(px, 0, all, s * px.length / b, px.length);
                nfe += r.nfe();
                chunks++;
            }
        }
        return new Generated(Tensor.of(be, all, n, chw[0], chw[1], chw[2]), nfe / chunks);
    }

    public static SampleResult integrate(VelocityField field, Tensor x0, Tensor z, SamplerSpec spec) {
        if (spec.sampler().equals("sit-sde")) {
            throw new IllegalArgumentException("sit-sde needs a noise stream: use generate");
        }
        if (spec.sampler().equals("dopri5")) {
            return Samplers.dopri5(Ode.of(field, z), x0, spec.tol(), spec.tol(), false);
        }
        return Samplers.euler(Ode.of(field, z), x0, spec.steps(), false);
    }

    /** One row of the NFE table; {@code metric} names the FID, {@code inceptionScore} is NaN without Inception. */
    public record Row(String model, String sampler, double nfe, double fid, double seconds, String metric,
                      double inceptionScore, double inceptionScoreStd, double classAccuracy) {
        /** A row without a class accuracy. */
        public Row(String model, String sampler, double nfe, double fid, double seconds, String metric,
                   double inceptionScore, double inceptionScoreStd) {
            this(model, sampler, nfe, fid, seconds, metric, inceptionScore, inceptionScoreStd, Double.NaN);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("sampler", sampler);
            m.put("nfe", nfe);
            m.put(metric, fid);
            if (!Double.isNaN(inceptionScore)) {
                m.put(InceptionFeatures.IS_NAME, inceptionScore);
                m.put(InceptionFeatures.IS_NAME + "_std", inceptionScoreStd);
            }
            if (!Double.isNaN(classAccuracy)) {
                m.put("class_accuracy", classAccuracy);
            }
            m.put("seconds", seconds);
            return m;
        }
    }

    /** FID (and, with Inception, IS) of {@code n} samples for every sampler setting (same seed for every setting and model). */
    public static List<Row> sweep(String modelName, Backend be, VelocityField field, ClassifierFid fid, int n,
                                  int[] chw, List<SamplerSpec> specs, long seed, Consumer<String> log) {
        return sweep(modelName, be, field, fid, n, chw, specs, seed, log, null, null);
    }

    /**
     * As {@link #sweep(String, Backend, VelocityField, ClassifierFid, int, int[], List, long, Consumer)}, sampling
     * the classes of {@code cond} (null: unconditional); with a {@code classifier} each row also reports the
     * fraction of samples it classifies as their requested class.
     */
    public static List<Row> sweep(String modelName, Backend be, VelocityField field, ClassifierFid fid, int n,
                                  int[] chw, List<SamplerSpec> specs, long seed, Consumer<String> log,
                                  Conditioning cond, SmallCnn classifier) {
        List<Row> rows = new ArrayList<>();
        for (SamplerSpec spec : specs) {
            long t0 = System.nanoTime();
            Generated g = generate(be, field, n, chw, spec, new Rng(seed), 100, cond);
            Tensor images = g.images().clamp(-1f, 1f);
            ClassifierFid.Score score = fid.scores(images);
            double acc = cond != null && classifier != null ? classAccuracy(classifier, images, cond, be) : Double.NaN;
            double secs = (System.nanoTime() - t0) / 1e9;
            Row row = new Row(modelName, spec.label(), g.meanNfe(), score.fid(), secs, fid.metric(),
                    score.inceptionScore(), score.inceptionScoreStd(), acc);
            rows.add(row);
            log.accept(String.format("%s %-9s NFE %6.1f  %s %.3f%s%s  (%.0f s)", modelName, spec.label(), g.meanNfe(),
                    fid.metric(), score.fid(), Double.isNaN(score.inceptionScore()) ? ""
                            : String.format("  IS %.3f ± %.3f", score.inceptionScore(), score.inceptionScoreStd()),
                    Double.isNaN(acc) ? "" : String.format("  class accuracy %.3f", acc), secs));
        }
        return rows;
    }

    /** The fraction of {@code images} that {@code classifier} assigns to the class {@code cond} requested for them. */
    public static double classAccuracy(SmallCnn classifier, Tensor images, Conditioning cond, Backend be) {
        int n = images.dim(0);
        int[] labels = new int[n];
        int classes = 0;
        for (int i = 0; i < n; i++) {
            labels[i] = cond.classOf(i);
            classes = Math.max(classes, labels[i] + 1);
        }
        ImageSet set = new ImageSet("generated", n, images.dim(1), images.dim(2), images.dim(3), images.toArray(),
                labels, classes);
        return ClassifierFid.accuracy(classifier, set, be);
    }

    /** A printed table: one line per sampler, one column per model. */
    public static String table(List<Row> rows) {
        List<String> models = new ArrayList<>();
        List<String> samplers = new ArrayList<>();
        for (Row r : rows) {
            if (!models.contains(r.model())) models.add(r.model());
            if (!samplers.contains(r.sampler())) samplers.add(r.sampler());
        }
        StringBuilder sb = new StringBuilder();
        String metric = rows.isEmpty() ? ClassifierFid.NAME : rows.get(0).metric();
        sb.append(String.format("%-10s", "sampler"));
        for (String m : models) sb.append(String.format(" | %-8s NFE  %-16s", m, metric));
        sb.append('\n');
        for (String s : samplers) {
            sb.append(String.format("%-10s", s));
            for (String m : models) {
                Row hit = null;
                for (Row r : rows) if (r.model().equals(m) && r.sampler().equals(s)) hit = r;
                sb.append(hit == null ? String.format(" | %-31s", "-")
                        : String.format(" | %8.1f     %-16.3f", hit.nfe(), hit.fid()));
                if (hit != null && !Double.isNaN(hit.classAccuracy())) {
                    sb.append(String.format(" acc %.3f", hit.classAccuracy()));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
