package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.flow.Ode;
import io.vrfm.flow.SampleResult;
import io.vrfm.flow.Samplers;
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

        public String label() {
            return sampler.equals("euler") ? "euler-" + steps : "dopri5";
        }
    }

    /** Generates {@code n} images of {@code shape} (C, H, W) in chunks; returns the images and the mean NFE. */
    public record Generated(Tensor images, double meanNfe) {
    }

    public static Generated generate(Backend be, VelocityField field, int n, int[] chw, SamplerSpec spec, Rng rng, int chunk) {
        float[] all = new float[n * chw[0] * chw[1] * chw[2]];
        double nfe = 0;
        int chunks = 0;
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (int s = 0; s < n; s += chunk) {
                int b = Math.min(chunk, n - s);
                Tensor x0 = Tensor.randn(be, rng, b, chw[0], chw[1], chw[2]);
                Tensor z = Samplers.drawLatent(field, b, rng, be);
                SampleResult r = integrate(field, x0, z, spec);
                float[] px = r.x().toArray();
                System.arraycopy(px, 0, all, s * px.length / b, px.length);
                nfe += r.nfe();
                chunks++;
            }
        }
        return new Generated(Tensor.of(be, all, n, chw[0], chw[1], chw[2]), nfe / chunks);
    }

    public static SampleResult integrate(VelocityField field, Tensor x0, Tensor z, SamplerSpec spec) {
        if (spec.sampler().equals("dopri5")) {
            return Samplers.dopri5(Ode.of(field, z), x0, spec.tol(), spec.tol(), false);
        }
        return Samplers.euler(Ode.of(field, z), x0, spec.steps(), false);
    }

    /** One row of the NFE table; {@code metric} names the FID, {@code inceptionScore} is NaN without Inception. */
    public record Row(String model, String sampler, double nfe, double fid, double seconds, String metric,
                      double inceptionScore, double inceptionScoreStd) {
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
            m.put("seconds", seconds);
            return m;
        }
    }

    /** FID (and, with Inception, IS) of {@code n} samples for every sampler setting (same seed for every setting and model). */
    public static List<Row> sweep(String modelName, Backend be, VelocityField field, ClassifierFid fid, int n,
                                  int[] chw, List<SamplerSpec> specs, long seed, Consumer<String> log) {
        List<Row> rows = new ArrayList<>();
        for (SamplerSpec spec : specs) {
            long t0 = System.nanoTime();
            Generated g = generate(be, field, n, chw, spec, new Rng(seed), 100);
            ClassifierFid.Score score = fid.scores(g.images().clamp(-1f, 1f));
            double secs = (System.nanoTime() - t0) / 1e9;
            Row row = new Row(modelName, spec.label(), g.meanNfe(), score.fid(), secs, fid.metric(),
                    score.inceptionScore(), score.inceptionScoreStd());
            rows.add(row);
            log.accept(String.format("%s %-9s NFE %6.1f  %s %.3f%s  (%.0f s)", modelName, spec.label(), g.meanNfe(),
                    fid.metric(), score.fid(), Double.isNaN(score.inceptionScore()) ? ""
                            : String.format("  IS %.3f ± %.3f", score.inceptionScore(), score.inceptionScoreStd()), secs));
        }
        return rows;
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
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
