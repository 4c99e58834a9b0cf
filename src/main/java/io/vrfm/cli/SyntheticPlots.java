package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.cli.plot.Plots;
import io.vrfm.eval.AmbiguityMap;
import io.vrfm.eval.SyntheticEvaluation;
import io.vrfm.flow.FlowModel;
import io.vrfm.flow.Ode;
import io.vrfm.flow.SampleResult;
import io.vrfm.flow.Sampler;
import io.vrfm.flow.Samplers;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.FlowOps;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of a synthetic run (first seed's models): samples against the target (Fig. 4 / histograms), flow
 * trajectories (Fig. 4, 14), velocity-ambiguity heatmaps for ground truth / RFM / V-RFM / CFM (Fig. 3) with velocity
 * histograms at (0, 0), (0, 0.5), (−1, 0.95), and the metrics against Euler steps (Fig. 2, 5).
 */
final class SyntheticPlots {
    private static final int[] SAMPLE_STEPS = {2, 20};
    private static final double[][] HIST_POINTS = {{0, 0}, {0, 0.5}, {-1, 0.95}};

    private final SyntheticEvaluation.Settings s;
    private final Backend be;
    private final Path dir;
    private final Map<String, Map<String, Map<String, double[]>>> values;
    private final List<String> settings;

    SyntheticPlots(SyntheticEvaluation.Settings s, Backend be, Path dir,
                   Map<String, Map<String, Map<String, double[]>>> values, List<String> settings) {
        this.s = s;
        this.be = be;
        this.dir = dir;
        this.values = values;
        this.settings = settings;
    }

    void write(Map<String, FlowModel> models, long seed) throws IOException {
        Files.createDirectories(dir);
        int d = s.task().dim();
        Rng rng = new Rng(424242L + seed);
        int n = 2000;
        float[] target = s.task().target().sample(rng.fork(), n);
        float[] x0 = s.task().source().sample(rng.fork(), n);
        Rng zRng = rng.fork();
        // samples vs target
        for (int steps : SAMPLE_STEPS) {
            Map<String, float[]> series = new LinkedHashMap<>();
            series.put("target", target);
            for (Map.Entry<String, FlowModel> e : models.entrySet()) {
                VelocityField f = e.getValue().velocity();
                Tensor z = Samplers.drawLatent(f, n, new Rng(zRng.seed() + 1), be);
                SampleResult r = Sampler.euler(steps).sample(f, Tensor.of(be, x0, n, d), z);
                series.put(e.getKey(), r.x().toArray());
            }
            if (d == 1) {
                Plots.histograms1d(dir.resolve("samples_euler" + steps + ".png"),
                        s.experiment() + ": samples after " + steps + " Euler steps", series, 80, -2.5, 2.5);
            } else {
                for (Map.Entry<String, float[]> e : series.entrySet()) {
                    if (e.getKey().equals("target")) {
                        continue;
                    }
                    Map<String, float[]> two = new LinkedHashMap<>();
                    two.put("target", target);
                    two.put(e.getKey(), e.getValue());
                    Plots.scatter2d(dir.resolve("samples_" + e.getKey() + "_euler" + steps + ".png"),
                            s.experiment() + ": " + e.getKey() + " after " + steps + " Euler steps", two);
                }
            }
        }
        // trajectories + ambiguity points
        int paths = d == 1 ? 300 : 400;
        int trajSteps = 20;
        Map<String, AmbiguityMap.Points> points = new LinkedHashMap<>();
        int gtN = 20000;
        float[] gx0 = s.task().source().sample(rng.fork(), gtN);
        float[] gx1 = s.task().target().sample(rng.fork(), gtN);
        float[] gtTimes = new float[51];
        for (int j = 0; j <= 50; j++) {
            gtTimes[j] = j / 50f;
        }
        if (d == 1) {
            points.put("ground truth", AmbiguityMap.straightLinePoints(gx0, gx1, gtTimes));
        } else {
            points.put("ground truth", straightLines2d(gx0, gx1, gtTimes));
        }
        for (Map.Entry<String, FlowModel> e : models.entrySet()) {
            VelocityField f = e.getValue().velocity();
            Trace tr = trace(f, Tensor.of(be, java.util.Arrays.copyOf(x0, paths * d), paths, d),
                    Samplers.drawLatent(f, paths, new Rng(zRng.seed() + 2), be), trajSteps);
            if (d == 1) {
                Plots.trajectories1d(dir.resolve("trajectories_" + e.getKey() + ".png"),
                        s.experiment() + ": " + e.getKey() + " trajectories (Euler " + trajSteps + ")", tr.times, tr.coord(0));
            } else {
                float[][] px = tr.coord(0), py = tr.coord(1);
                float[] starts = new float[2 * paths], ends = new float[2 * paths];
                for (int p = 0; p < paths; p++) {
                    starts[2 * p] = px[p][0];
                    starts[2 * p + 1] = py[p][0];
                    ends[2 * p] = px[p][trajSteps];
                    ends[2 * p + 1] = py[p][trajSteps];
                }
                Plots.trajectories2d(dir.resolve("trajectories_" + e.getKey() + ".png"),
                        s.experiment() + ": " + e.getKey() + " trajectories (Euler " + trajSteps + ")", px, py, starts, ends);
            }
            // ambiguity: many trajectories, 50 Euler steps, the velocity at every visited point
            int an = 4000;
            float[] ax0 = s.task().source().sample(rng.fork(), an);
            Trace at = trace(f, Tensor.of(be, ax0, an, d), Samplers.drawLatent(f, an, new Rng(zRng.seed() + 3), be), 50);
            points.put(e.getKey(), at.points(d));
        }
        // ambiguity heatmaps (coordinate 0 of the state; 2-D: total spread of the velocity vector)
        double xLo = d == 1 ? -3 : -1.5, xHi = -xLo;
        List<String> titles = new ArrayList<>();
        List<AmbiguityMap> maps = new ArrayList<>();
        for (Map.Entry<String, AmbiguityMap.Points> e : points.entrySet()) {
            AmbiguityMap.Points p = e.getValue();
            AmbiguityMap map = d == 1
                    ? AmbiguityMap.compute(p.x(), p.t(), p.v(), 40, 25, xLo, xHi, 0, 1, 5)
                    : AmbiguityMap.computeCoordinate(p.x(), p.t(), p.v(), p.t().length, d, 0, true, 40, 25, xLo, xHi, 0, 1, 5);
            titles.add(e.getKey());
            maps.add(map);
        }
        Plots.ambiguityMaps(dir.resolve("ambiguity.png"), s.experiment() + ": std of velocity per (x" + (d == 1 ? "" : "[0]")
                + ", t) bin", titles, maps);
        if (d == 1) {
            for (double[] pt : HIST_POINTS) {
                Map<String, float[]> hs = new LinkedHashMap<>();
                for (Map.Entry<String, AmbiguityMap.Points> e : points.entrySet()) {
                    AmbiguityMap.Points p = e.getValue();
                    hs.put(e.getKey(), AmbiguityMap.velocitiesNear(p.x(), p.t(), p.v(), pt[0], pt[1], 0.1, 0.03));
                }
                Plots.histograms1d(dir.resolve(String.format(java.util.Locale.ROOT, "velocity_hist_x%.0f_t%.2f.png", pt[0], pt[1])),
                        String.format(java.util.Locale.ROOT, "velocity near (x, t) = (%.0f, %.2f)", pt[0], pt[1]), "velocity",
                        hs, 60, -6, 6);
            }
        }
        // metrics vs Euler steps
        for (String metric : new String[]{"true_ll", "parzen_ll", "w1"}) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, Map<String, double[]>>> e : values.entrySet()) {
                List<double[]> pts = new ArrayList<>();
                for (String setting : settings) {
                    if (!setting.startsWith("euler_")) {
                        continue;
                    }
                    var ms = SyntheticExperiment.meanStd(e.getValue().get(setting).get(metric));
                    pts.add(new double[]{Integer.parseInt(setting.substring(6)), ms.mean(), ms.std()});
                }
                double[][] arr = new double[3][pts.size()];
                for (int i = 0; i < pts.size(); i++) {
                    for (int k = 0; k < 3; k++) {
                        arr[k][i] = pts.get(i)[k];
                    }
                }
                series.put(e.getKey(), arr);
            }
            Plots.lines(dir.resolve("metric_" + metric + ".png"), s.experiment() + ": " + metric + " vs Euler steps",
                    "Euler steps", metric, series, true);
        }
    }

    private static AmbiguityMap.Points straightLines2d(float[] x0, float[] x1, float[] times) {
        int n = x0.length / 2, k = times.length;
        float[] x = new float[n * k * 2], t = new float[n * k], v = new float[n * k * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                int o = i * k + j;
                float tt = times[j];
                for (int c = 0; c < 2; c++) {
                    x[2 * o + c] = (1 - tt) * x0[2 * i + c] + tt * x1[2 * i + c];
                    v[2 * o + c] = x1[2 * i + c] - x0[2 * i + c];
                }
                t[o] = tt;
            }
        }
        return new AmbiguityMap.Points(x, t, v);
    }

    /** States {@code [steps+1][n·d]} and the velocity evaluated at each (the last at t = 1), fixed z. */
    private record Trace(float[] times, float[][] states, float[][] velocities, int n, int d) {
        float[][] coord(int c) {
            float[][] out = new float[n][times.length];
            for (int j = 0; j < times.length; j++) {
                for (int p = 0; p < n; p++) {
                    out[p][j] = states[j][p * d + c];
                }
            }
            return out;
        }

        AmbiguityMap.Points points(int dim) {
            int k = times.length;
            float[] x = new float[n * k * dim], t = new float[n * k], v = new float[n * k * dim];
            for (int j = 0; j < k; j++) {
                for (int p = 0; p < n; p++) {
                    int o = p * k + j;
                    t[o] = times[j];
                    for (int c = 0; c < dim; c++) {
                        x[o * dim + c] = states[j][p * dim + c];
                        v[o * dim + c] = velocities[j][p * dim + c];
                    }
                }
            }
            return new AmbiguityMap.Points(x, t, v);
        }
    }

    private static Trace trace(VelocityField f, Tensor x0, Tensor z, int steps) {
        int n = x0.dim(0), d = (int) (x0.size() / n);
        float[] times = new float[steps + 1];
        float[][] states = new float[steps + 1][], vels = new float[steps + 1][];
        Ode ode = Ode.of(f, z);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor x = x0.copy();
            float dt = 1f / steps;
            for (int j = 0; j <= steps; j++) {
                float t = j * dt;
                times[j] = t;
                states[j] = x.toArray();
                Tensor v = ode.f(x, t);
                vels[j] = v.toArray();
                if (j < steps) {
                    FlowOps.eulerStep(x, v, dt, null, 0f);
                }
            }
        }
        return new Trace(times, states, vels, n, d);
    }
}
