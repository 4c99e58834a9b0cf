package io.vrfm.flow;

import io.vrfm.nn.Module;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Log-likelihood of data under a flow by the instantaneous change of variables (Chen et al. 2018):
 * {@code d/dt log p_t(x(t)) = −div v(x(t), t)}. Integrating the ODE backward from {@code x1} at {@code t = 1} to
 * {@code x0} at {@code t = 0} (classic RK4, fixed steps) gives
 * {@code log p1(x1) = log p0(x0) − ∫₀¹ div v(x(t), t) dt}.
 *
 * <p>The divergence is exact for {@code dim ≤ 2} (one backward pass per dimension, autograd with respect to the
 * input) and Hutchinson's estimator {@code εᵀ(∂v/∂x)ε} with Rademacher {@code ε} otherwise. For V-RFM
 * {@link #logProb} takes the field at a fixed latent {@code z} (the likelihood of the conditional flow; pass null for
 * RFM), and {@link #marginalLogProb} estimates the model's marginal likelihood over {@code z ~ N(0, I)}.
 */
public final class Likelihood {
    private Likelihood() {
    }

    /** The source log-density at row {@code x[offset .. offset+dim)}, e.g. {@code io.vrfm.data.Distribution::logDensity}. */
    @FunctionalInterface
    public interface LogDensity {
        double at(float[] x, int offset);
    }

    /** Per-sample {@code log p1(x1)} for {@code x1 [N, dim]} under the flow from the source density {@code source}. */
    public static double[] logProb(VelocityField field, Tensor z, Tensor x1, LogDensity source, int steps, Rng rng) {
        int n = x1.dim(0), dim = (int) (x1.size() / n);
        List<Tensor> params = new ArrayList<>();
        if (field instanceof Module) {
            for (Tensor p : ((Module) field).parameters()) {
                if (p.requiresGrad()) {
                    params.add(p);
                    p.requiresGrad(false);
                }
            }
        }
        try {
            double[] intDiv = new double[n];
            Tensor x = x1.detach().copy();
            double h = -1.0 / steps;
            for (int s = 0; s < steps; s++) {
                double t = 1.0 + s * h;
                Eval k1 = eval(field, z, x, (float) t, rng);
                Eval k2 = eval(field, z, axpy(x, k1.v, h / 2), (float) (t + h / 2), rng);
                Eval k3 = eval(field, z, axpy(x, k2.v, h / 2), (float) (t + h / 2), rng);
                Eval k4 = eval(field, z, axpy(x, k3.v, h), (float) (t + h), rng);
                try (GradMode.Scope ignored = GradMode.noGrad()) {
                    x = x.add(k1.v.add(k2.v.mul(2f)).add(k3.v.mul(2f)).add(k4.v).mul((float) (h / 6)));
                }
                for (int i = 0; i < n; i++) {
                    // ∫ div dt over this step (dt = h < 0 going backward; we accumulate ∫_0^1 so negate)
                    intDiv[i] += -h / 6 * (k1.div[i] + 2 * k2.div[i] + 2 * k3.div[i] + k4.div[i]);
                }
            }
            float[] x0 = x.toArray();
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = source.at(x0, i * dim) - intDiv[i];
            }
            return out;
        } finally {
            for (Tensor p : params) {
                p.requiresGrad(true);
            }
        }
    }

    /**
     * Importance-weighted estimate of a V-RFM model's marginal {@code log p1(x1) = log E_{z~N(0,I)} p1(x1 | z)} with
     * the prior as proposal: {@code log (1/K) Σ_k p1(x1 | z_k)} (log-mean-exp of {@link #logProb} over {@code draws}
     * independent prior draws per point, all solved as one batch). Consistent as K grows; for finite K a lower bound
     * in expectation (Jensen). A field without latent ({@code latentDim() == 0}) gets the exact {@link #logProb}.
     */
    public static double[] marginalLogProb(VelocityField field, Tensor x1, LogDensity source, int steps, int draws, Rng rng) {
        if (field.latentDim() == 0) {
            return logProb(field, null, x1, source, steps, rng);
        }
        if (draws < 1) {
            throw new IllegalArgumentException("marginal log-likelihood: draws of z must be >= 1, got " + draws);
        }
        int n = x1.dim(0), dim = (int) (x1.size() / n);
        float[] x = x1.toArray(), rep = new float[draws * n * dim];
        for (int k = 0; k < draws; k++) {
            System.arraycopy(x, 0, rep, k * n * dim, n * dim);
        }
        int[] shape = x1.shape();
        shape[0] = draws * n;
        Tensor z = Tensor.randn(x1.backend(), rng, draws * n, field.latentDim());
        double[] lp = logProb(field, z, Tensor.of(x1.backend(), rep, shape), source, steps, rng);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < draws; k++) max = Math.max(max, lp[k * n + i]);
            double sum = 0;
            for (int k = 0; k < draws; k++) sum += Math.exp(lp[k * n + i] - max);
            out[i] = max + Math.log(sum / draws);
        }
        return out;
    }

    private static Tensor axpy(Tensor x, Tensor v, double a) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return x.add(v.mul((float) a));
        }
    }

    private record Eval(Tensor v, double[] div) {
    }

    private static Eval eval(VelocityField field, Tensor z, Tensor x, float t, Rng rng) {
        int n = x.dim(0), dim = (int) (x.size() / n);
        double[] div = new double[n];
        Tensor v = null;
        Tensor tt = Tensor.full(x.backend(), t, n);
        int passes = dim <= 2 ? dim : 1;
        for (int p = 0; p < passes; p++) {
            Tensor leaf = x.detach().copy().requiresGrad(true);
            Tensor out = field.velocity(leaf, tt, z);
            float[] seed = new float[n * dim];
            if (dim <= 2) {
                for (int i = 0; i < n; i++) {
                    seed[i * dim + p] = 1f;
                }
            } else {
                for (int i = 0; i < seed.length; i++) {
                    seed[i] = rng.nextDouble() < 0.5 ? -1f : 1f;
                }
            }
            out.backward(Tensor.of(x.backend(), seed, out.shape()));
            float[] g = leaf.grad().toArray();
            if (dim <= 2) {
                for (int i = 0; i < n; i++) {
                    div[i] += g[i * dim + p];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int j = 0; j < dim; j++) {
                        s += g[i * dim + j] * seed[i * dim + j];
                    }
                    div[i] = s;
                }
            }
            if (v == null) {
                v = out.detach();
            }
        }
        return new Eval(v, div);
    }
}
