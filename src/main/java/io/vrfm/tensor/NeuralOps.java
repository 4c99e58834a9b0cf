package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.ConvShape;

/** Neural-network ops on fused backend primitives: softmax, norms, convolution, pooling, dropout, MSE. */
public final class NeuralOps {
    private NeuralOps() {
    }

    static Tensor softmax(Tensor x, boolean log) {
        Backend be = x.backend();
        int cols = x.dim(-1);
        int rows = (int) (x.size() / Math.max(1, cols));
        Tensor y = Tensor.empty(be, x.shape());
        be.softmax(x.buffer(), y.buffer(), rows, cols, log);
        return y.record(log ? "logSoftmax" : "softmax", g -> {
            Tensor gx = Tensor.empty(be, x.shape());
            be.softmaxBackward(y.buffer(), g.buffer(), gx.buffer(), rows, cols, log);
            return new Tensor[]{gx};
        }, x);
    }

    /** {@link #attention(Tensor, Tensor, Tensor, float)} with the usual scale {@code 1/√headDim}. */
    public static Tensor attention(Tensor q, Tensor k, Tensor v) {
        return attention(q, k, v, (float) (1.0 / Math.sqrt(q.dim(-1))));
    }

    /**
     * Fused self-attention {@code softmax(q·kᵀ·scale)·v} over {@code q}, {@code k}, {@code v} of equal shape
     * {@code [..., seq, headDim]} (typically {@code [batch, heads, seq, headDim]}; every leading axis is a batch
     * axis). One op with one backward rule; the per-row log-sum-exp is kept for the backward, not the
     * {@code seq × seq} probabilities.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, float scale) {
        Backend be = Elementwise.sameBackend("attention", q, k);
        Elementwise.sameBackend("attention", q, v);
        if (q.rank() < 2 || !Shape.same(q.shape(), k.shape()) || !Shape.same(q.shape(), v.shape())) {
            throw new IllegalArgumentException("attention: q " + q.shapeString() + ", k " + k.shapeString() + " and v "
                    + v.shapeString() + " must share one shape [..., seq, headDim]");
        }
        int headDim = q.dim(-1), seq = q.dim(-2);
        int slices = (int) (q.size() / Math.max(1, (long) seq * headDim));
        Tensor out = Tensor.empty(be, q.shape());
        Tensor lse = Tensor.empty(be, slices, seq);
        be.attention(q.buffer(), k.buffer(), v.buffer(), out.buffer(), lse.buffer(), slices, seq, headDim, scale);
        return out.record("attention", g -> {
            Tensor gq = Tensor.empty(be, q.shape()), gk = Tensor.empty(be, q.shape()), gv = Tensor.empty(be, q.shape());
            be.attentionBackward(q.buffer(), k.buffer(), v.buffer(), out.buffer(), lse.buffer(), g.buffer(),
                    gq.buffer(), gk.buffer(), gv.buffer(), slices, seq, headDim, scale);
            return new Tensor[]{gq, gk, gv};
        }, q, k, v);
    }

    /** Layer norm over the last axis with optional affine {@code gamma}/{@code beta} of {@code [cols]}. */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        Backend be = x.backend();
        int cols = x.dim(-1);
        int rows = (int) (x.size() / cols);
        checkAffine("layerNorm", gamma, beta, cols, x);
        Tensor y = Tensor.empty(be, x.shape());
        Tensor mean = Tensor.empty(be, rows), rstd = Tensor.empty(be, rows);
        be.layerNorm(x.buffer(), buf(gamma), buf(beta), y.buffer(), mean.buffer(), rstd.buffer(), rows, cols, eps);
        return y.record("layerNorm", g -> {
            Tensor gx = Tensor.empty(be, x.shape());
            Tensor gg = gamma == null ? null : Tensor.empty(be, cols);
            Tensor gb = beta == null ? null : Tensor.empty(be, cols);
            be.layerNormBackward(x.buffer(), buf(gamma), mean.buffer(), rstd.buffer(), g.buffer(), gx.buffer(),
                    buf(gg), buf(gb), rows, cols);
            return new Tensor[]{gx, gg, gb};
        }, x, gamma, beta);
    }

    /** Group norm of NCHW (or NC) {@code x} with per-channel affine {@code gamma}/{@code beta} of {@code [C]}. */
    public static Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, float eps) {
        Backend be = x.backend();
        if (x.rank() < 2) {
            throw new IllegalArgumentException("groupNorm: needs [N, C, ...], got " + x.shapeString());
        }
        int n = x.dim(0), c = x.dim(1);
        int hw = (int) (x.size() / ((long) n * c));
        if (groups <= 0 || c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + c + " channels of " + x.shapeString()
                    + " are not divisible into " + groups + " groups");
        }
        checkAffine("groupNorm", gamma, beta, c, x);
        Tensor y = Tensor.empty(be, x.shape());
        Tensor mean = Tensor.empty(be, n, groups), rstd = Tensor.empty(be, n, groups);
        be.groupNorm(x.buffer(), buf(gamma), buf(beta), y.buffer(), mean.buffer(), rstd.buffer(), n, c, hw, groups, eps);
        return y.record("groupNorm", g -> {
            Tensor gx = Tensor.empty(be, x.shape());
            Tensor gg = gamma == null ? null : Tensor.empty(be, c);
            Tensor gb = beta == null ? null : Tensor.empty(be, c);
            be.groupNormBackward(x.buffer(), buf(gamma), mean.buffer(), rstd.buffer(), g.buffer(), gx.buffer(),
                    buf(gg), buf(gb), n, c, hw, groups);
            return new Tensor[]{gx, gg, gb};
        }, x, gamma, beta);
    }

    private static void checkAffine(String op, Tensor gamma, Tensor beta, int size, Tensor x) {
        if (gamma != null && gamma.size() != size) {
            throw new IllegalArgumentException(op + ": weight " + gamma.shapeString() + " does not match " + size
                    + " features of " + x.shapeString());
        }
        if (beta != null && beta.size() != size) {
            throw new IllegalArgumentException(op + ": bias " + beta.shapeString() + " does not match " + size
                    + " features of " + x.shapeString());
        }
        if (beta != null && gamma == null) {
            throw new IllegalArgumentException(op + ": a bias needs a weight");
        }
    }

    private static io.vrfm.backend.Buffer buf(Tensor t) {
        return t == null ? null : t.buffer();
    }

    /** 2-D convolution of NCHW {@code x} with {@code w} of {@code [K, C, R, S]} and optional bias {@code [K]}. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int pad) {
        Backend be = Elementwise.sameBackend("conv2d", x, w);
        if (x.rank() != 4 || w.rank() != 4 || x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("conv2d: input " + x.shapeString() + " does not match weight "
                    + w.shapeString() + " (expected [N, C, H, W] and [K, C, R, S] with equal C)");
        }
        ConvShape s = new ConvShape(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3), stride, pad);
        Tensor y = Tensor.empty(be, s.n(), s.k(), s.outH(), s.outW());
        be.conv2d(x.buffer(), w.buffer(), y.buffer(), s);
        Tensor conv = y.record("conv2d", g -> {
            Tensor gx = null, gw = null;
            if (x.requiresGrad()) {
                gx = Tensor.empty(be, x.shape());
                be.conv2dBackwardData(g.buffer(), w.buffer(), gx.buffer(), s);
            }
            if (w.requiresGrad()) {
                gw = Tensor.empty(be, w.shape());
                be.conv2dBackwardFilter(x.buffer(), g.buffer(), gw.buffer(), s);
            }
            return new Tensor[]{gx, gw};
        }, x, w);
        if (bias == null) {
            return conv;
        }
        if (bias.size() != s.k()) {
            throw new IllegalArgumentException("conv2d: bias " + bias.shapeString() + " does not match " + s.k() + " filters");
        }
        return conv.add(bias.reshape(1, s.k(), 1, 1));
    }

    /** Average pooling with kernel = stride = {@code k} on NCHW input. */
    public static Tensor avgPool2d(Tensor x, int k) {
        Backend be = x.backend();
        if (x.rank() != 4 || x.dim(2) % k != 0 || x.dim(3) % k != 0) {
            throw new IllegalArgumentException("avgPool2d: input " + x.shapeString() + " must be NCHW with H and W divisible by " + k);
        }
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.empty(be, x.dim(0), x.dim(1), h / k, w / k);
        be.avgPool2d(x.buffer(), y.buffer(), planes, h, w, k);
        return y.record("avgPool2d", g -> {
            Tensor gx = Tensor.empty(be, x.shape());
            be.avgPool2dBackward(g.buffer(), gx.buffer(), planes, h, w, k);
            return new Tensor[]{gx};
        }, x);
    }

    /** Nearest-neighbour upsampling of NCHW input by an integer factor. */
    public static Tensor upsampleNearest(Tensor x, int factor) {
        Backend be = x.backend();
        if (x.rank() != 4 || factor < 1) {
            throw new IllegalArgumentException("upsampleNearest: input " + x.shapeString() + " must be NCHW, factor >= 1");
        }
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.empty(be, x.dim(0), x.dim(1), h * factor, w * factor);
        be.upsampleNearest(x.buffer(), y.buffer(), planes, h, w, factor);
        return y.record("upsampleNearest", g -> {
            Tensor gx = Tensor.empty(be, x.shape());
            be.upsampleNearestBackward(g.buffer(), gx.buffer(), planes, h, w, factor);
            return new Tensor[]{gx};
        }, x);
    }

    /** Inverted dropout: zeroes each element with probability {@code p} and scales survivors by {@code 1/(1−p)}. */
    public static Tensor dropout(Tensor x, float p, Rng rng, boolean training) {
        if (!training || p == 0f) {
            return x;
        }
        if (p < 0f || p >= 1f) {
            throw new IllegalArgumentException("dropout: probability " + p + " must be in [0, 1)");
        }
        Tensor keep = Tensor.rand(x.backend(), rng, x.shape()).greaterThan(p).mul(1f / (1f - p));
        return x.mul(keep);
    }

    /** Mean squared error over all elements, a scalar. */
    static Tensor mse(Tensor a, Tensor b) {
        Backend be = Elementwise.sameBackend("mse", a, b);
        if (!Shape.same(a.shape(), b.shape())) {
            throw new IllegalArgumentException("mse: prediction " + a.shapeString() + " and target " + b.shapeString() + " differ");
        }
        Tensor y = Tensor.empty(be);
        be.mse(a.buffer(), b.buffer(), y.buffer(), a.size());
        return y.record("mse", g -> {
            Tensor ga = Tensor.empty(be, a.shape());
            be.mseBackward(a.buffer(), b.buffer(), g.buffer(), ga.buffer(), a.size());
            return new Tensor[]{a.requiresGrad() ? ga : null, b.requiresGrad() ? ga.neg() : null};
        }, a, b);
    }
}
