package io.vrfm.tensor;

import io.vrfm.backend.Backend;

/** The fused flow-matching kernels as tensor ops: reparameterization, Gaussian KL, interpolation, Euler step. */
public final class FlowOps {
    private FlowOps() {
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        Elementwise.sameBackend(op, a, b);
        if (!Shape.same(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + a.shapeString() + " and " + b.shapeString() + " differ");
        }
    }

    /** {@code z = mu + exp(0.5·logvar)·eps}, differentiable in {@code mu} and {@code logvar}. */
    public static Tensor reparameterize(Tensor mu, Tensor logvar, Tensor eps) {
        sameShape("reparameterize", mu, logvar);
        sameShape("reparameterize", mu, eps);
        Backend be = mu.backend();
        Tensor z = Tensor.empty(be, mu.shape());
        be.reparameterize(mu.buffer(), logvar.buffer(), eps.buffer(), z.buffer(), mu.size());
        return z.record("reparameterize", g -> {
            Tensor gm = Tensor.empty(be, mu.shape()), gl = Tensor.empty(be, mu.shape());
            be.reparameterizeBackward(logvar.buffer(), eps.buffer(), g.buffer(), gm.buffer(), gl.buffer(), mu.size());
            return new Tensor[]{gm, gl, null};
        }, mu, logvar, eps);
    }

    /** Per-sample KL of {@code N(mu, exp(logvar))} to {@code N(0, I)}: {@code [rows]} for {@code [rows, cols]}. */
    public static Tensor gaussianKl(Tensor mu, Tensor logvar) {
        sameShape("gaussianKl", mu, logvar);
        Backend be = mu.backend();
        int rows = mu.dim(0);
        int cols = (int) (mu.size() / rows);
        Tensor kl = Tensor.empty(be, rows);
        be.gaussianKl(mu.buffer(), logvar.buffer(), kl.buffer(), rows, cols);
        return kl.record("gaussianKl", g -> {
            Tensor gm = Tensor.empty(be, mu.shape()), gl = Tensor.empty(be, mu.shape());
            be.gaussianKlBackward(mu.buffer(), logvar.buffer(), g.buffer(), gm.buffer(), gl.buffer(), rows, cols);
            return new Tensor[]{gm, gl};
        }, mu, logvar);
    }

    /**
     * {@code x_t = (1 − t)·x0 + t·x1} and the target velocity {@code x1 − x0} in one pass, {@code t} of
     * {@code [rows]} one per sample. The inputs are data: no gradient flows through this op.
     */
    public static Tensor[] interpolate(Tensor x0, Tensor x1, Tensor t) {
        sameShape("interpolate", x0, x1);
        int rows = x0.dim(0);
        if (t.size() != rows) {
            throw new IllegalArgumentException("interpolate: t " + t.shapeString() + " needs one value per sample of " + x0.shapeString());
        }
        Backend be = x0.backend();
        Tensor xt = Tensor.empty(be, x0.shape()), target = Tensor.empty(be, x0.shape());
        be.interpolate(x0.buffer(), x1.buffer(), t.buffer(), xt.buffer(), target.buffer(), rows, (int) (x0.size() / rows));
        return new Tensor[]{xt, target};
    }

    /** In place: {@code x ← x + dt·v (+ noiseScale·noise)}; {@code noise} may be null. Not differentiable. */
    public static void eulerStep(Tensor x, Tensor v, float dt, Tensor noise, float noiseScale) {
        sameShape("eulerStep", x, v);
        if (noise != null) {
            sameShape("eulerStep", x, noise);
        }
        if (x.requiresGrad() && GradMode.isEnabled()) {
            throw new IllegalStateException("eulerStep: updates x in place; call it under GradMode.noGrad() on a detached state");
        }
        x.backend().eulerStep(x.buffer(), v.buffer(), dt, noise == null ? null : noise.buffer(), noiseScale, x.size());
    }
}
