package io.vrfm.flow;

import io.vrfm.nn.PosteriorEncoder;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.FlowOps;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * The training objectives on one interpolant batch. Every loss returns its scalar {@code total} (call
 * {@code backward()} on it) and the parts it is made of, for logging. See {@link Reduction} for how squared
 * errors and the KL are reduced, {@link LossReduction} for V-RFM's two terms apart.
 */
public final class FlowLosses {
    private FlowLosses() {
    }

    /** A scalar loss and its logged parts ({@code recon}, {@code kl}; {@code kl} is null where there is none). */
    public record Loss(Tensor total, Tensor recon, Tensor kl) {
    }

    /** Squared error of {@code [N, ...]} prediction vs target, reduced per {@code reduction} (fused MSE kernel). */
    public static Tensor squaredError(Tensor pred, Tensor target, Reduction reduction) {
        Tensor m = pred.mse(target);
        if (reduction == Reduction.SUM) {
            long perSample = pred.size() / pred.dim(0);
            return perSample == 1 ? m : m.mul((float) perSample);
        }
        return m;
    }

    /** Rectified flow: {@code ‖v_θ(x_t, t) − (x1 − x0)‖²}. */
    public static Loss rfm(VelocityField field, Interpolant.Batch b, Reduction reduction) {
        Tensor v = field.velocity(b.xt(), b.t(), null);
        Tensor recon = squaredError(v, b.target(), reduction);
        return new Loss(recon, recon, null);
    }

    /**
     * Variational rectified flow (Eq. 5 / Alg. 1): encode {@code q_φ(z | inputs)}, draw one reparameterized
     * {@code z = μ + σ·ε} per sample ({@code ε} from {@code rng}), reconstruct the target velocity from
     * {@code v_θ(x_t, t, z)}; loss = recon + λ·KL(q ‖ N(0, I)), each term reduced as {@code reduction} says.
     */
    public static Loss vrfm(VelocityField field, PosteriorEncoder posterior, Interpolant.Batch b, float lambda,
                            LossReduction reduction, Rng rng) {
        Tensor eps = Tensor.randn(b.x0().backend(), rng, b.x0().dim(0), posterior.latentDim());
        return vrfm(field, posterior, b, lambda, reduction, eps);
    }

    /** {@link #vrfm(VelocityField, PosteriorEncoder, Interpolant.Batch, float, LossReduction, Rng)} with given noise {@code eps [N, latentDim]}. */
    public static Loss vrfm(VelocityField field, PosteriorEncoder posterior, Interpolant.Batch b, float lambda,
                            LossReduction reduction, Tensor eps) {
        Tensor[] ml = posterior.encode(b.x0(), b.x1(), b.xt(), b.t());
        Tensor mu = ml[0], logvar = ml[1];
        Tensor z = FlowOps.reparameterize(mu, logvar, eps);
        Tensor v = field.velocity(b.xt(), b.t(), z);
        Tensor recon = squaredError(v, b.target(), reduction.recon());
        Tensor kl = FlowOps.gaussianKl(mu, logvar).mean();
        if (reduction.kl() == Reduction.MEAN) {
            kl = kl.mul(1f / mu.dim(1));
        }
        return new Loss(recon.add(kl.mul(lambda)), recon, kl);
    }

    /** V-RFM with one reduction for both terms ({@link LossReduction#both}). */
    public static Loss vrfm(VelocityField field, PosteriorEncoder posterior, Interpolant.Batch b, float lambda,
                            Reduction reduction, Rng rng) {
        return vrfm(field, posterior, b, lambda, LossReduction.both(reduction), rng);
    }

    /** V-RFM with one reduction for both terms ({@link LossReduction#both}) and given noise. */
    public static Loss vrfm(VelocityField field, PosteriorEncoder posterior, Interpolant.Batch b, float lambda,
                            Reduction reduction, Tensor eps) {
        return vrfm(field, posterior, b, lambda, LossReduction.both(reduction), eps);
    }

    /**
     * Consistency flow matching settings (Yang et al. 2024 and their code): Δ, number of segments N, velocity weight
     * α, and the two-stage "boundary": in stage 1 ({@code boundary = 0}) the {@code r} side is the exact point of the
     * straight line at the segment end and there is no velocity term; in stage 2 ({@code boundary = 0.9}) samples
     * with {@code r < boundary} use the model's own {@code f(x_r, r)} and the velocity term. The trainer switches
     * stages at half the iterations.
     */
    public record ConsistencyConfig(float delta, int segments, float alpha, float stage2Boundary) {
        /** The paper's synthetic-data settings: Δ = 1e-3, N = 2, α = 1e-5; stage-2 boundary 0.9 (reference code). */
        public static ConsistencyConfig paper() {
            return new ConsistencyConfig(1e-3f, 2, 1e-5f, 0.9f);
        }
    }

    /**
     * Consistency flow matching: {@code f(x_s, s) = x_s + (e − s)·v_θ(x_s, s)} with {@code e} the end of the segment
     * (of {@code N} equal segments of [0, 1]) that holds {@code t}; {@code r = min(t + Δ, 1)} on the same straight
     * line (same {@code x0}, {@code x1}). Loss per sample {@code ‖f_t − f_r‖² + α‖v_t − v_r‖²}, where the {@code r}
     * side carries no gradient: for {@code r ≥ boundary} it is the line's point at {@code e}, otherwise
     * {@code f(x_r, r)} from the current weights (as in the reference code's {@code losses.py}: the same model, under
     * {@code no_grad}; its EMA copy serves only evaluation). The velocity term is on when {@code t < boundary} and
     * {@code e − t > 1.01·Δ} (the reference masks by {@code t}, not {@code r}).
     */
    public static Loss consistency(VelocityField field, Interpolant.Batch b, ConsistencyConfig cfg, float boundary,
                                   Reduction reduction) {
        int n = b.t().dim(0);
        float[] t = b.t().toArray();
        float[] r = new float[n], segT = new float[n], segR = new float[n], ends = new float[n];
        float[] useModel = new float[n], useLine = new float[n], vMask = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = Math.min(t[i] + cfg.delta(), 1f);
            int seg = Math.min(cfg.segments() - 1, (int) Math.floor(t[i] * cfg.segments()));
            float end = (seg + 1f) / cfg.segments();
            ends[i] = end;
            segT[i] = end - t[i];
            segR[i] = end - r[i];
            boolean model = r[i] < boundary;
            useModel[i] = model ? 1f : 0f;
            useLine[i] = model ? 0f : 1f;
            vMask[i] = t[i] < boundary && end - t[i] > 1.01f * cfg.delta() ? 1f : 0f;
        }
        var be = b.t().backend();
        int[] col = colShape(b.xt());
        Tensor fr, vr;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor line = FlowOps.interpolate(b.x0(), b.x1(), Tensor.of(be, ends, n))[0];
            if (boundary > 0f) {
                Tensor rT = Tensor.of(be, r, n);
                Tensor xr = FlowOps.interpolate(b.x0(), b.x1(), rT)[0];
                vr = field.velocity(xr, rT, null);
                Tensor fModel = xr.add(vr.mul(Tensor.of(be, segR, col)));
                fr = fModel.mul(Tensor.of(be, useModel, col)).add(line.mul(Tensor.of(be, useLine, col)));
            } else {
                vr = null;
                fr = line;
            }
        }
        Tensor vt = field.velocity(b.xt(), b.t(), null);
        Tensor ft = b.xt().add(vt.mul(Tensor.of(be, segT, col)));
        Tensor lf = squaredError(ft, fr, reduction);
        if (vr == null || cfg.alpha() == 0f) {
            return new Loss(lf, lf, null);
        }
        Tensor mask = Tensor.of(be, vMask, col);
        Tensor lv = squaredError(vt.mul(mask), vr.mul(mask), reduction);
        return new Loss(lf.add(lv.mul(cfg.alpha())), lf, null);
    }

    private static int[] colShape(Tensor x) {
        int[] s = new int[x.rank()];
        java.util.Arrays.fill(s, 1);
        s[0] = x.dim(0);
        return s;
    }
}
