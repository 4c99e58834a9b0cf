package io.vrfm.flow;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.eval.ImageSampling;
import io.vrfm.nn.PosteriorInput;
import io.vrfm.nn.SyntheticPosterior;
import io.vrfm.nn.SyntheticVelocityNet;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.FlowOps;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values (not only gradients) of the pieces of V-RFM that a self-consistent bug would leave unnoticed: the variance of
 * the reparameterized latent, the λ in the loss, one {@code z} per trajectory in every sampler, the noise of
 * Euler–Maruyama, and the stage-2 target of consistency flow matching.
 */
class MethodInvariantsTest {
    private static final CpuBackend BE = new CpuBackend(1);

    @Test
    void reparameterizedLatentHasMeanMuAndVarianceExpLogvar() {
        float[] mu = {0.3f, -1.2f, 2.0f}, logvar = {-1.5f, 0.8f, 0f};
        // exact forward values for one eps
        float[] eps = {0.7f, -1.3f, 2.1f};
        float[] z = FlowOps.reparameterize(Tensor.of(BE, mu, 1, 3), Tensor.of(BE, logvar, 1, 3), Tensor.of(BE, eps, 1, 3)).toArray();
        for (int j = 0; j < 3; j++) {
            assertEquals(mu[j] + Math.exp(0.5 * logvar[j]) * eps[j], z[j], 1e-5, "z = mu + exp(logvar/2)·eps, dim " + j);
        }
        // Monte Carlo: Var(z) = exp(logvar)
        int n = 100_000;
        float[] m = new float[n * 3], l = new float[n * 3];
        for (int i = 0; i < n; i++) {
            System.arraycopy(mu, 0, m, 3 * i, 3);
            System.arraycopy(logvar, 0, l, 3 * i, 3);
        }
        float[] zs = FlowOps.reparameterize(Tensor.of(BE, m, n, 3), Tensor.of(BE, l, n, 3),
                Tensor.randn(BE, new Rng(5), n, 3)).toArray();
        for (int j = 0; j < 3; j++) {
            double s = 0, s2 = 0;
            for (int i = 0; i < n; i++) {
                s += zs[3 * i + j];
            }
            double mean = s / n;
            for (int i = 0; i < n; i++) {
                s2 += (zs[3 * i + j] - mean) * (zs[3 * i + j] - mean);
            }
            double var = s2 / (n - 1), want = Math.exp(logvar[j]);
            assertEquals(mu[j], mean, 4 * Math.sqrt(want / n), "E[z], dim " + j);
            assertEquals(want, var, 0.03 * want, "Var(z) = exp(logvar), dim " + j);
        }
    }

    /** total = recon + λ·KL, with recon and KL recomputed here from the same ε (the loss's Rng seed). */
    @Test
    void vrfmTotalIsReconPlusLambdaKlForEveryReconAndKlReduction() {
        Rng init = new Rng(21);
        int dim = 3, latent = 2, n = 6;
        SyntheticVelocityNet v = new SyntheticVelocityNet(BE, init, dim, latent, 8, 8);
        SyntheticPosterior q = new SyntheticPosterior(BE, init, dim, latent,
                EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT), 8, 8);
        Tensor x0 = Tensor.randn(BE, new Rng(1), n, dim), x1 = Tensor.randn(BE, new Rng(2), n, dim).mul(2f).add(1f);
        Interpolant.Batch b = Interpolant.at(x0, x1, Tensor.rand(BE, new Rng(3), n));
        float lambda = 0.37f;
        java.util.List<LossReduction> settings = new ArrayList<>();
        for (Reduction rr : Reduction.values()) {
            for (Reduction kr : Reduction.values()) {
                settings.add(new LossReduction(rr, kr));
            }
        }
        for (LossReduction reduction : settings) {
            FlowLosses.Loss loss = FlowLosses.vrfm(v, q, b, lambda, reduction, new Rng(9));
            double recon, kl, se, klSum;
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                Tensor[] ml = q.encode(b.x0(), b.x1(), b.xt(), b.t());
                float[] mu = ml[0].toArray(), lv = ml[1].toArray();
                float[] eps = Tensor.randn(BE, new Rng(9), n, latent).toArray();
                float[] z = new float[n * latent];
                klSum = 0;
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) (mu[i] + Math.exp(0.5 * lv[i]) * eps[i]);
                    klSum += -0.5 * (1 + lv[i] - mu[i] * mu[i] - Math.exp(lv[i]));
                }
                float[] vel = v.velocity(b.xt(), b.t(), Tensor.of(BE, z, n, latent)).toArray();
                float[] target = b.target().toArray();
                se = 0;
                for (int i = 0; i < vel.length; i++) {
                    se += (vel[i] - target[i]) * (double) (vel[i] - target[i]);
                }
                recon = reduction.recon() == Reduction.SUM ? se / n : se / (n * dim);
                kl = reduction.kl() == Reduction.SUM ? klSum / n : klSum / (n * latent);
            }
            String r = " (" + reduction + ")";
            assertEquals(recon, loss.recon().item(), 1e-4 * Math.max(1, recon), "recon" + r);
            assertEquals(kl, loss.kl().item(), 1e-4 * Math.max(1, kl), "KL" + r);
            assertTrue(kl > 0.005, "the test needs a KL that is not ~0" + r);
            assertEquals(recon + lambda * kl, loss.total().item(), 2e-5 * Math.max(1, recon), "total = recon + λ·KL" + r);
            // the effective KL weight in per-sample-sum units: total·(se/n)/recon = se/n + λ·s·klSum/n
            double s = reduction.effectiveKlScale(dim, latent);
            double scaledTotal = loss.total().item() * ((se / n) / recon);
            assertEquals(se / n + lambda * s * klSum / n, scaledTotal, 2e-5 * Math.max(1, se / n), "λ_eff scale" + r);
            if (reduction.recon() == reduction.kl()) {
                // the single setting of earlier versions means both terms
                FlowLosses.Loss old = FlowLosses.vrfm(v, q, b, lambda, reduction.recon(), new Rng(9));
                assertEquals(loss.total().item(), old.total().item(), 0.0, "Reduction " + reduction.recon() + r);
            }
        }
    }

    /** A V-RFM field that records every z it is called with; its velocity is linear in x so every sampler converges. */
    private static final class RecordingField implements VelocityField {
        final List<float[]> seen = new ArrayList<>();

        @Override
        public Tensor velocity(Tensor x, Tensor t, Tensor z) {
            seen.add(z == null ? null : z.toArray());
            return x.mul(-0.5f).add(z.slice(1, 0, 1).mul(0.3f));
        }

        @Override
        public int latentDim() {
            return 2;
        }
    }

    @Test
    void everySamplerKeepsOneLatentPerTrajectory() {
        int n = 4;
        Tensor z = Tensor.randn(BE, new Rng(7), n, 2);
        float[] want = z.toArray();
        List<String> names = List.of("euler", "heun", "dopri5", "em", "sample:euler", "sample:heun", "sample:dopri5",
                "image:euler", "image:dopri5");
        for (String name : names) {
            RecordingField f = new RecordingField();
            Tensor x0 = Tensor.randn(BE, new Rng(8), n, 1);
            SampleResult r;
            switch (name) {
                case "euler": r = Samplers.euler(Ode.of(f, z), x0, 5, false); break;
                case "heun": r = Samplers.heun(Ode.of(f, z), x0, 5, false); break;
                case "dopri5": r = Samplers.dopri5(Ode.of(f, z), x0, 1e-4, 1e-4, false); break;
                case "em": r = Samplers.eulerMaruyama(Ode.of(f, z), x0, 5, 0.5f, new Rng(3), false); break;
                case "image:euler": r = ImageSampling.integrate(f, x0, z, ImageSampling.SamplerSpec.euler(4)); break;
                case "image:dopri5": r = ImageSampling.integrate(f, x0, z, ImageSampling.SamplerSpec.dopri5(1e-4)); break;
                case "sample:euler": r = Sampler.euler(5).sample(f, x0, z); break;
                case "sample:heun": r = Sampler.heun(5).sample(f, x0, z); break;
                default: r = Sampler.dopri5(1e-5, 1e-5).sample(f, x0, z); break;
            }
            assertTrue(f.seen.size() >= 4, name + ": only " + f.seen.size() + " evaluations");
            assertEquals(r.nfe(), f.seen.size(), name + ": NFE counts every evaluation");
            for (int k = 0; k < f.seen.size(); k++) {
                assertArrayEquals(want, f.seen.get(k), name + ": evaluation " + k + " saw a different z");
            }
        }
    }

    /**
     * On the linear field {@code v = a·x} every Euler–Maruyama step is {@code x ← m_k·x + σ_k·ξ} with
     * {@code m_k = 1 + dt·(a − ½ε(1 − t_k·a))} and {@code σ_k² = ε(1 − t_k)·dt} (the last step a plain Euler step), so
     * the end state is Gaussian with mean {@code Π m_k · x0} and variance {@code Σ_k (Π_{j>k} m_j)² σ_k²}.
     */
    @Test
    void eulerMaruyamaMatchesItsClosedFormOnALinearField() {
        float a = 0.8f, epsilon = 0.6f;
        int steps = 6, n = 200_000;
        float x0v = 1.5f;
        SampleResult r = Samplers.eulerMaruyama((x, t) -> x.mul(a), Tensor.full(BE, x0v, n, 1), steps, epsilon,
                new Rng(13), false);
        double dt = 1.0 / steps;
        double[] m = new double[steps], s2 = new double[steps];
        for (int k = 0; k < steps; k++) {
            double t = k * dt;
            boolean last = k == steps - 1;
            m[k] = last ? 1 + dt * a : 1 + dt * (a - 0.5 * epsilon * (1 - t * a));
            s2[k] = last ? 0 : epsilon * (1 - t) * dt;
        }
        double mean = x0v, var = 0;
        for (int k = 0; k < steps; k++) {
            mean *= m[k];
            var = var * m[k] * m[k] + s2[k];
        }
        float[] x = r.x().toArray();
        double s = 0, ss = 0;
        for (float xi : x) {
            s += xi;
        }
        double em = s / n;
        for (float xi : x) {
            ss += (xi - em) * (xi - em);
        }
        double ev = ss / (n - 1);
        assertEquals(mean, em, 4 * Math.sqrt(var / n), "EM end mean");
        assertEquals(var, ev, 0.02 * var, "EM end variance");
        assertEquals(steps, r.nfe());
    }

    /**
     * With the exact velocity of the linear interpolant between {@code N(0, 1)} and {@code N(μ, s²)} (a linear field),
     * the SDE shares the flow's marginals, so Euler–Maruyama with noise must still end at {@code N(μ, s²)}.
     */
    @Test
    void eulerMaruyamaWithNoiseKeepsTheFlowsMarginal() {
        double mu = 1.0, s = 0.5;
        Ode exact = (x, t) -> {
            double var = (1 - t) * (1 - t) + t * t * s * s, slope = (t * s * s - (1 - t)) / var;
            return x.sub((float) (t * mu)).mul((float) slope).add((float) mu);
        };
        int n = 40_000;
        SampleResult r = Samplers.eulerMaruyama(exact, Tensor.randn(BE, new Rng(17), n, 1), 200, 1.0f, new Rng(19), false);
        float[] x = r.x().toArray();
        double sum = 0, ss = 0;
        for (float xi : x) {
            sum += xi;
        }
        double mean = sum / n;
        for (float xi : x) {
            ss += (xi - mean) * (xi - mean);
        }
        assertEquals(mu, mean, 0.02, "end mean");
        assertEquals(s * s, ss / (n - 1), 0.03 * s * s + 0.005, "end variance");
    }

    /**
     * SiT's SDE sampler on the linear field {@code v = a·x}: step 0 is {@code x ← (1 + a·dt)·x}; SDE step k is
     * {@code x ← m_k·x + σ_k·ξ} with {@code m_k = 1 + dt·((1 + n)·a − n/t_k)}, {@code σ_k² = 2n(1 − t_k)/t_k·dt};
     * the last ("Mean") step is {@code m_k·x} without noise. The end state is Gaussian with mean {@code Π m_k·x0} and
     * variance {@code Σ_k (Π_{j>k} m_j)² σ_k²}.
     */
    @Test
    void sitSdeMatchesItsClosedFormOnALinearField() {
        float a = 0.8f, norm = 1.0f;
        int steps = 6, n = 200_000;
        float x0v = 1.5f;
        SampleResult r = Sampler.sitSde(steps, norm).integrate((x, t) -> x.mul(a), Tensor.full(BE, x0v, n, 1),
                new Rng(23), false);
        assertEquals(steps, r.nfe());
        double dt = 1.0 / steps;
        double mean = x0v, var = 0;
        for (int k = 0; k < steps; k++) {
            double t = k * dt;
            double m = k == 0 ? 1 + dt * a : 1 + dt * ((1 + norm) * a - norm / t);
            double s2 = k == 0 || k == steps - 1 ? 0 : 2 * norm * (1 - t) / t * dt;
            mean *= m;
            var = var * m * m + s2;
        }
        float[] x = r.x().toArray();
        double s = 0, ss = 0;
        for (float xi : x) {
            s += xi;
        }
        double em = s / n;
        for (float xi : x) {
            ss += (xi - em) * (xi - em);
        }
        double ev = ss / (n - 1);
        assertEquals(mean, em, 4 * Math.sqrt(var / n), "SiT SDE end mean");
        assertEquals(var, ev, 4 * var * Math.sqrt(2.0 / n), "SiT SDE end variance");
        // norm 0 is the Euler ODE, bit for bit
        float[] ode = Sampler.sitSde(steps, 0f).integrate((x2, t) -> x2.mul(a), Tensor.full(BE, x0v, 4, 1), null, false)
                .x().toArray();
        float[] euler = Sampler.euler(steps).integrate((x2, t) -> x2.mul(a), Tensor.full(BE, x0v, 4, 1), null, false)
                .x().toArray();
        assertArrayEquals(euler, ode);
    }

    /** With the exact field of N(0, 1) → N(μ, s²), SiT's SDE sampler ends at the data marginal. */
    @Test
    void sitSdeKeepsTheFlowsMarginal() {
        double mu = 1.0, s = 0.5;
        Ode exact = (x, t) -> {
            double var = (1 - t) * (1 - t) + t * t * s * s, slope = (t * s * s - (1 - t)) / var;
            return x.sub((float) (t * mu)).mul((float) slope).add((float) mu);
        };
        int n = 40_000;
        SampleResult r = Samplers.sitSde(exact, Tensor.randn(BE, new Rng(29), n, 1), 200, 1.0f, new Rng(31), false);
        float[] x = r.x().toArray();
        double sum = 0, ss = 0;
        for (float xi : x) {
            sum += xi;
        }
        double mean = sum / n;
        for (float xi : x) {
            ss += (xi - mean) * (xi - mean);
        }
        assertEquals(mu, mean, 0.02, "end mean");
        assertEquals(s * s, ss / (n - 1), 0.03 * s * s + 0.005, "end variance");
    }

    /**
     * Stage 2 of consistency FM: for {@code r < boundary} the target is the model's own {@code f(x_r, r)}; the
     * velocity term is on for {@code t < boundary} away from the segment end, as in the reference code's mask (the
     * sample at t = 0.87 has {@code r ≥ boundary > t}: line target, velocity term on); checked in value against the
     * formula on a hand-made field, and zero for the exact straight field of a deterministic pair.
     */
    @Test
    void consistencyStageTwoUsesTheModelsOwnTarget() {
        FlowLosses.ConsistencyConfig cfg = new FlowLosses.ConsistencyConfig(0.05f, 2, 0.3f, 0.9f);
        VelocityField field = new VelocityField() {
            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z) {
                return x.mul(t.reshape(t.dim(0), 1)).add(1f); // v = t·x + 1
            }

            @Override
            public int latentDim() {
                return 0;
            }
        };
        float[] x0 = {0.2f, -0.4f, 1.0f, 0.6f}, x1 = {1.5f, 0.3f, -2.0f, -0.9f}, t = {0.1f, 0.47f, 0.93f, 0.87f};
        int n = t.length;
        Interpolant.Batch b = Interpolant.at(Tensor.of(BE, x0, n, 1), Tensor.of(BE, x1, n, 1), Tensor.of(BE, t, n));
        double lf = 0, lv = 0;
        for (int i = 0; i < n; i++) {
            double ti = t[i], ri = Math.min(ti + cfg.delta(), 1), end = ti < 0.5 ? 0.5 : 1.0;
            double xt = (1 - ti) * x0[i] + ti * x1[i], xr = (1 - ri) * x0[i] + ri * x1[i];
            double vt = ti * xt + 1, vr = ri * xr + 1;
            double ft = xt + (end - ti) * vt;
            boolean model = ri < cfg.stage2Boundary();
            double fr = model ? xr + (end - ri) * vr : (1 - end) * x0[i] + end * x1[i];
            lf += (ft - fr) * (ft - fr);
            if (ti < cfg.stage2Boundary() && end - ti > 1.01 * cfg.delta()) {
                lv += (vt - vr) * (vt - vr);
            }
        }
        FlowLosses.Loss loss = FlowLosses.consistency(field, b, cfg, cfg.stage2Boundary(), Reduction.SUM);
        assertEquals(lf / n, loss.recon().item(), 1e-5, "stage-2 consistency term");
        assertEquals(lf / n + cfg.alpha() * lv / n, loss.total().item(), 1e-5, "stage-2 total with the velocity term");
        assertTrue(lv > 1e-4, "the velocity term must be exercised");
        // the exact field of the pair x1 = x0 + 2: every segment end agrees, both stages give 0
        VelocityField straight = new VelocityField() {
            @Override
            public Tensor velocity(Tensor x, Tensor tt, Tensor z) {
                return Tensor.full(BE, 2f, x.shape());
            }

            @Override
            public int latentDim() {
                return 0;
            }
        };
        Tensor p0 = Tensor.of(BE, x0, n, 1);
        Interpolant.Batch sb = Interpolant.at(p0, p0.add(2f), Tensor.of(BE, t, n));
        for (float boundary : new float[]{0f, cfg.stage2Boundary()}) {
            assertEquals(0.0, FlowLosses.consistency(straight, sb, cfg, boundary, Reduction.SUM).total().item(), 1e-10,
                    "exact straight field, boundary " + boundary);
        }
    }
}
