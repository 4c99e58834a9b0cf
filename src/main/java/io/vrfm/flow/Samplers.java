package io.vrfm.flow;

import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.FlowOps;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The integrators behind {@link Sampler} (use those values; these take an {@link Ode} directly):
 * ODE/SDE integrators from {@code t = 0} (source) to {@code t = 1} (data), all under {@link GradMode#noGrad()}.
 * V-RFM sampling (Alg. 2) draws {@code z ~ N(0, I)} once per trajectory and keeps it for every step:
 * {@link #drawLatent}, then {@link Ode#of(VelocityField, Tensor)}.
 */
public final class Samplers {
    private Samplers() {
    }

    /** {@code z ~ N(0, I)} of {@code [n, latentDim]} for a V-RFM field, or null for a plain field. */
    public static Tensor drawLatent(VelocityField field, int n, Rng rng, io.vrfm.backend.Backend be) {
        return field.latentDim() == 0 ? null : Tensor.randn(be, rng, n, field.latentDim());
    }

    private static void keep(List<float[]> traj, List<Float> times, Tensor x, float t) {
        if (traj != null) {
            traj.add(x.toArray());
            times.add(t);
        }
    }

    /** Explicit Euler with {@code steps} uniform steps (first order; NFE = steps), using the fused Euler kernel. */
    public static SampleResult euler(Ode f, Tensor x0, int steps, boolean record) {
        return euler(f, x0, 0f, 1f, steps, record);
    }

    public static SampleResult euler(Ode f, Tensor x0, float t0, float t1, int steps, boolean record) {
        return fixedSteps(x0, t0, t1, steps, 1, record, (x, t, dt, i) -> FlowOps.eulerStep(x, f.f(x, t), dt, null, 0f));
    }

    /** One in-place update of a fixed-step integrator: step {@code i} from {@code t} to {@code t + dt}. */
    @FunctionalInterface
    private interface StepRule {
        void advance(Tensor x, float t, float dt, int i);
    }

    /**
     * The loop every fixed-step sampler shares: copy {@code x0}, take {@code steps} uniform steps from {@code t0} to
     * {@code t1} under noGrad, optionally recording the state after each; NFE = {@code evalsPerStep·steps}.
     */
    private static SampleResult fixedSteps(Tensor x0, float t0, float t1, int steps, int evalsPerStep, boolean record,
                                           StepRule rule) {
        checkSteps(steps);
        List<float[]> traj = record ? new ArrayList<>() : null;
        List<Float> times = record ? new ArrayList<>() : null;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor x = x0.copy();
            float dt = (t1 - t0) / steps;
            keep(traj, times, x, t0);
            for (int i = 0; i < steps; i++) {
                rule.advance(x, t0 + i * dt, dt, i);
                keep(traj, times, x, t0 + (i + 1) * dt);
            }
            return new SampleResult(x, evalsPerStep * steps, traj, times);
        }
    }

    /** Heun's method (explicit trapezoid, second order; NFE = 2·steps). */
    public static SampleResult heun(Ode f, Tensor x0, int steps, boolean record) {
        return fixedSteps(x0, 0f, 1f, steps, 2, record, (x, t, dt, i) -> {
            Tensor k1 = f.f(x, t);
            Tensor pred = x.add(k1.mul(dt));
            Tensor k2 = f.f(pred, t + dt);
            FlowOps.eulerStep(x, k1.add(k2), 0.5f * dt, null, 0f);
        });
    }

    // Dormand–Prince 5(4) tableau
    private static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
    private static final double[][] A = {
            {},
            {1.0 / 5},
            {3.0 / 40, 9.0 / 40},
            {44.0 / 45, -56.0 / 15, 32.0 / 9},
            {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
            {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
            {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
    private static final double[] B5 = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
    private static final double[] B4 = {5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40};

    /**
     * Adaptive Dormand–Prince 5(4) from 0 to 1 with error control {@code ‖err / (atol + rtol·max(|y|, |y_new|))‖_RMS
     * ≤ 1} over the whole batch (torchdiffeq's convention), FSAL, PI-free step-size update
     * {@code h·min(10, max(0.2, 0.9·e^(−1/5)))}. The NFE counts every evaluation, rejected steps included.
     */
    public static SampleResult dopri5(Ode f, Tensor x0, double rtol, double atol, boolean record) {
        List<float[]> traj = record ? new ArrayList<>() : null;
        List<Float> times = record ? new ArrayList<>() : null;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor y = x0.copy();
            double t = 0, tEnd = 1;
            Tensor k1 = f.f(y, 0f);
            int nfe = 1;
            keep(traj, times, y, 0f);
            // initial step (Hairer, Nørsett & Wanner II.4)
            double d0 = rms(y, y, atol, rtol, null), d1 = rms(k1, y, atol, rtol, null);
            double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
            Tensor y1 = y.add(k1.mul((float) h0));
            Tensor k1b = f.f(y1, (float) h0);
            nfe++;
            double d2 = rms(k1b.sub(k1), y, atol, rtol, null) / h0;
            double h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : Math.pow(0.01 / Math.max(d1, d2), 1.0 / 5);
            double h = Math.min(Math.min(100 * h0, h1), tEnd - t);
            int guard = 0;
            while (t < tEnd - 1e-12) {
                if (++guard > 100000) {
                    throw new IllegalStateException("dopri5: too many steps (step size " + h + " at t = " + t + ")");
                }
                h = Math.min(h, tEnd - t);
                Tensor[] k = new Tensor[7];
                k[0] = k1;
                for (int s = 1; s < 7; s++) {
                    Tensor acc = y;
                    for (int j = 0; j < s; j++) {
                        if (A[s][j] != 0) {
                            acc = acc.add(k[j].mul((float) (h * A[s][j])));
                        }
                    }
                    k[s] = f.f(acc, (float) (t + C[s] * h));
                    nfe++;
                }
                Tensor yNew = y;
                Tensor err = null;
                for (int j = 0; j < 7; j++) {
                    if (B5[j] != 0) {
                        yNew = yNew.add(k[j].mul((float) (h * B5[j])));
                    }
                    double e = B5[j] - B4[j];
                    if (e != 0) {
                        Tensor term = k[j].mul((float) (h * e));
                        err = err == null ? term : err.add(term);
                    }
                }
                double en = rms(err, y, atol, rtol, yNew);
                if (en <= 1 || h < 1e-10) {
                    t += h;
                    y = yNew;
                    k1 = k[6];
                    keep(traj, times, y, (float) t);
                }
                double factor = en == 0 ? 10 : Math.min(10, Math.max(0.2, 0.9 * Math.pow(en, -0.2)));
                h *= factor;
            }
            return new SampleResult(y, nfe, traj, times);
        }
    }

    /** {@code sqrt(mean((v / (atol + rtol·max(|y|, |y2|)))²))}. */
    private static double rms(Tensor v, Tensor y, double atol, double rtol, Tensor y2) {
        float[] a = v.toArray(), b = y.toArray(), c = y2 == null ? null : y2.toArray();
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double scale = atol + rtol * Math.max(Math.abs(b[i]), c == null ? 0 : Math.abs(c[i]));
            double q = a[i] / scale;
            s += q * q;
        }
        return Math.sqrt(s / a.length);
    }

    /**
     * Euler–Maruyama for the SDE that shares the flow's marginals (SiT's {@code SDE} sampler form):
     * {@code dX = [v + ½·w(t)·s(X, t)] dt + √w(t) dW} with the score of the linear interpolant from a standard
     * normal source, {@code s(x, t) = −(x − t·v)/(1 − t)}, and diffusion {@code w(t) = ε·(1 − t)} (SiT's
     * "sigma"-shaped choice: it vanishes at the data end, so the drift stays finite as t → 1). The drift is then
     * {@code v − ½ε·(x − t·v)}. The last step is a plain mean (Euler, no noise) step, as SiT's {@code last_step="Mean"}.
     * Valid only when the source is {@code N(0, I)} (the score formula assumes it). NFE = steps.
     */
    public static SampleResult eulerMaruyama(Ode f, Tensor x0, int steps, float epsilon, Rng rng, boolean record) {
        return fixedSteps(x0, 0f, 1f, steps, 1, record, (x, t, dt, i) -> {
            Tensor v = f.f(x, t);
            if (i == steps - 1) {
                FlowOps.eulerStep(x, v, dt, null, 0f);
            } else {
                Tensor drift = v.sub(x.sub(v.mul(t)).mul(0.5f * epsilon));
                Tensor noise = Tensor.randn(x.backend(), rng, x.shape());
                FlowOps.eulerStep(x, drift, dt, noise, (float) Math.sqrt(epsilon * (1 - t) * dt));
            }
        });
    }

    /**
     * SiT's SDE sampler (Ma et al. 2024, {@code sample_sde} with Euler–Maruyama, diffusion form SBDM, last step
     * "Mean") on the linear path {@code x_t = t·x1 + (1 − t)·x0} of this engine ({@code t = 0} noise, {@code t = 1}
     * data, the same as SiT's): the SDE {@code dx = [v + w(t)·s(x, t)] dt + √(2 w(t)) dW} with SiT's score from
     * the velocity {@code s = (t·v − x)/(1 − t)} and SBDM diffusion {@code w(t) = norm·(1 − t)/t}, that is the
     * drift {@code (1 + norm)·v − norm·x/t}. {@code steps} uniform steps of {@code dt = 1/steps}, one evaluation each:
     * <ul>
     *   <li>step 0 ({@code t = 0}, where {@code w} is infinite) is a plain Euler step of the ODE — SiT's velocity
     *   setting starts its grid at {@code t0 = 0}, where the SBDM drift is undefined; this is the choice made here
     *   so that the grid can start at 0 with a finite update;</li>
     *   <li>steps 1 … steps−2 are Euler–Maruyama steps of the SDE above;</li>
     *   <li>the last step (from {@code 1 − dt}) is SiT's "Mean" last step: the SDE drift without noise, with SiT's
     *   {@code last_step_size} equal to the stride.</li>
     * </ul>
     * Valid for a standard normal source only (the score formula assumes it). {@code norm} is SiT's
     * {@code diffusion_norm} (default 1); the update stays stable while {@code norm·dt/t ≤ 2}, i.e. {@code norm ≤ 2}
     * at {@code t = dt}. NFE = steps.
     */
    public static SampleResult sitSde(Ode f, Tensor x0, int steps, float norm, Rng rng, boolean record) {
        return fixedSteps(x0, 0f, 1f, steps, 1, record, (x, t, dt, i) -> {
            Tensor v = f.f(x, t);
            if (i == 0 || norm == 0f) {
                FlowOps.eulerStep(x, v, dt, null, 0f);
                return;
            }
            Tensor drift = v.mul(1f + norm).sub(x.mul(norm / t));
            if (i == steps - 1) {
                FlowOps.eulerStep(x, drift, dt, null, 0f);
            } else {
                Tensor noise = Tensor.randn(x.backend(), rng, x.shape());
                FlowOps.eulerStep(x, drift, dt, noise, (float) Math.sqrt(2.0 * norm * (1 - t) / t * dt));
            }
        });
    }

    private static void checkSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("sampler: steps must be >= 1, got " + steps);
        }
    }
}
