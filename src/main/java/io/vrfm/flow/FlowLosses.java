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
 * errors and the KL are reduced.
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
     * {@code v_θ(x_t, t, z)}; loss = recon + λ·KL(q ‖ N(0, I)).
     */
    public static Loss vrfm(VelocityField field, PosteriorEncoder posterior, Interpolant.Batch b, float lambda,
                            Reduction reduction, Rng rng) {
        Tensor[] ml = posterior.encode(b.x0(), b.x1(), b.xt(), b.t());
        Tensor mu = ml[0], logvar = ml[1];
        Tensor eps = Tensor.randn(mu.backend(), rng, mu.shape());
        Tensor z = FlowOps.reparameterize(mu, logvar, eps);
        Tensor v = field.velocity(b.xt(), b.t(), z);
        Tensor recon = squaredError(v, b.target(), reduction);
        Tensor kl = FlowOps.gaussianKl(mu, logvar).mean();
        if (reduction == Reduction.MEAN) {
            kl = kl.mul(1f / mu.dim(1));
        }
        return new Loss(recon.add(kl.mul(lambda)), recon, kl);
    }

    /** Consistency flow matching settings (Yang et al. 2024): Δ, number of segments N, velocity weight α. */
    public record ConsistencyConfig(float delta, int segments, float alpha) {
        /** The paper's synthetic-data settings: Δ = 1e-3, N = 2, α = 1e-5. */
        public static ConsistencyConfig paper() {
            return new ConsistencyConfig(1e-3f, 2, 1e-5f);
        }
    }

    /**
     * Consistency flow matching: {@code f(x_s, s) = x_s + (e − s)·v_θ(x_s, s)} with {@code e} the end of the segment
     * (of {@code N} equal segments of [0, 1]) that holds {@code t}; {@code r = min(t + Δ, 1)} on the same straight
     * line (same {@code x0}, {@code x1}); loss {@code ‖f_t − f_r‖² + α‖v_t − v_r‖²} with the {@code r} side
     * evaluated without gradient (with the current weights; the reference code uses an EMA copy for it).
     */
    public static Loss consistency(VelocityField field, Interpolant.Batch b, ConsistencyConfig cfg, Reduction reduction) {
        int n = b.t().dim(0);
        float[] t = b.t().toArray();
        float[] r = new float[n], segT = new float[n], segR = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = Math.min(t[i] + cfg.delta(), 1f);
            int seg = Math.min(cfg.segments() - 1, (int) Math.floor(t[i] * cfg.segments()));
            float end = (seg + 1f) / cfg.segments();
            segT[i] = end - t[i];
            segR[i] = end - r[i];
        }
        var be = b.t().backend();
        Tensor rT = Tensor.of(be, r, n);
        int[] col = colShape(b.xt());
        Tensor xr = FlowOps.interpolate(b.x0(), b.x1(), rT)[0];
        Tensor vr, fr;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            vr = field.velocity(xr, rT, null);
            fr = xr.add(vr.mul(Tensor.of(be, segR, col)));
        }
        Tensor vt = field.velocity(b.xt(), b.t(), null);
        Tensor ft = b.xt().add(vt.mul(Tensor.of(be, segT, col)));
        Tensor lf = squaredError(ft, fr, reduction);
        Tensor lv = squaredError(vt, vr, reduction);
        return new Loss(lf.add(lv.mul(cfg.alpha())), lf, null);
    }

    private static int[] colShape(Tensor x) {
        int[] s = new int[x.rank()];
        java.util.Arrays.fill(s, 1);
        s[0] = x.dim(0);
        return s;
    }
}
