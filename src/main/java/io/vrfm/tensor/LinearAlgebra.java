package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.UnaryOp;

import java.util.Locale;

/** Matrix products on the backend's GEMM: plain, batched, and the fused linear layer {@code x·Wᵀ + b}. */
public final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /** {@code C = op(A)·op(B)} for row-major matrices stacked {@code batch} times (no autograd). */
    private static void gemm(Backend be, boolean ta, boolean tb, int m, int n, int k, Tensor a, Tensor b, Tensor c,
                             int batch, boolean batchA, boolean batchB, float beta) {
        int lda = ta ? m : k;
        int ldb = tb ? k : n;
        be.gemm(ta, tb, m, n, k, 1f, a.buffer(), 0, lda, batchA ? (long) m * k : 0,
                b.buffer(), 0, ldb, batchB ? (long) k * n : 0, beta, c.buffer(), 0, (long) m * n, batch);
    }

    static Tensor matmul(Tensor a, Tensor b) {
        Backend be = Elementwise.sameBackend("matmul", a, b);
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul: needs rank >= 2, got " + a.shapeString() + " and " + b.shapeString());
        }
        int[] as = a.shape(), bs = b.shape();
        int m = as[as.length - 2], k = as[as.length - 1];
        int kb = bs[bs.length - 2], n = bs[bs.length - 1];
        if (k != kb) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + a.shapeString() + " @ " + b.shapeString());
        }
        if (b.rank() == 2) {
            // [.., m, k] @ [k, n]: one GEMM over all leading rows
            int rows = (int) (a.size() / k);
            int[] outShape = as.clone();
            outShape[outShape.length - 1] = n;
            Tensor y = Tensor.empty(be, outShape);
            gemm(be, false, false, rows, n, k, a, b, y, 1, false, false, 0f);
            return y.record("matmul", g -> {
                Tensor ga = null, gb = null;
                if (a.requiresGrad()) {
                    ga = Tensor.empty(be, as);
                    gemm(be, false, true, rows, k, n, g, b, ga, 1, false, false, 0f);
                }
                if (b.requiresGrad()) {
                    gb = Tensor.empty(be, bs);
                    gemm(be, true, false, k, n, rows, a, g, gb, 1, false, false, 0f);
                }
                return new Tensor[]{ga, gb};
            }, a, b);
        }
        if (as.length != bs.length) {
            throw new IllegalArgumentException("matmul: batched operands need equal rank: " + a.shapeString() + " @ " + b.shapeString());
        }
        int batch = 1;
        for (int q = 0; q < as.length - 2; q++) {
            if (as[q] != bs[q]) {
                throw new IllegalArgumentException("matmul: batch dimensions differ: " + a.shapeString() + " @ " + b.shapeString());
            }
            batch *= as[q];
        }
        int[] outShape = as.clone();
        outShape[outShape.length - 1] = n;
        Tensor y = Tensor.empty(be, outShape);
        final int nb = batch;
        gemm(be, false, false, m, n, k, a, b, y, nb, true, true, 0f);
        return y.record("bmm", g -> {
            Tensor ga = null, gb = null;
            if (a.requiresGrad()) {
                ga = Tensor.empty(be, as);
                be.gemm(false, true, m, k, n, 1f, g.buffer(), 0, n, (long) m * n, b.buffer(), 0, n, (long) k * n,
                        0f, ga.buffer(), 0, (long) m * k, nb);
            }
            if (b.requiresGrad()) {
                gb = Tensor.empty(be, bs);
                be.gemm(true, false, k, n, m, 1f, a.buffer(), 0, k, (long) m * k, g.buffer(), 0, n, (long) m * n,
                        0f, gb.buffer(), 0, (long) k * n, nb);
            }
            return new Tensor[]{ga, gb};
        }, a, b);
    }

    /**
     * {@code y = x·Wᵀ + b} for {@code x} of {@code [.., in]}, {@code W} of {@code [out, in]} (PyTorch layout) and
     * optional {@code b} of {@code [out]}: one {@link Backend#linearForward} (a GEMM whose bias is added to each
     * element's full product).
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Backend be = checkLinear(x, w, bias);
        int in = w.dim(1), out = w.dim(0);
        int rows = (int) (x.size() / in);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        Tensor y = Tensor.empty(be, outShape);
        be.linearForward(x.buffer(), w.buffer(), bias == null ? null : bias.buffer(), y.buffer(), rows, in, out);
        return recordLinear(y, x, w, bias, rows, in, out);
    }

    /**
     * {@code act(x·Wᵀ + b)}: {@link #linear} followed by the unary op {@code act} (with parameters 0, e.g.
     * {@code GELU_TANH}), computed in one {@link Backend#linearForward} call (the activation in the GEMM's epilogue)
     * with the same values and the same two backward rules as {@code linear(x, w, b)} then the unary op.
     */
    public static Tensor linearActivation(Tensor x, Tensor w, Tensor bias, UnaryOp act) {
        Backend be = checkLinear(x, w, bias);
        if (act == UnaryOp.GREATER_THAN) {
            throw new IllegalArgumentException("linearActivation: " + act + " is not an activation");
        }
        int in = w.dim(1), out = w.dim(0);
        int rows = (int) (x.size() / in);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        Tensor z = Tensor.empty(be, outShape);
        Tensor y = Tensor.empty(be, outShape);
        be.linearForward(x.buffer(), w.buffer(), bias == null ? null : bias.buffer(), z.buffer(), rows, in, out,
                act, y.buffer());
        Tensor pre = recordLinear(z, x, w, bias, rows, in, out);
        return y.record(act.name().toLowerCase(Locale.ROOT), g -> {
            Tensor gz = Tensor.empty(be, outShape);
            be.unaryBackward(act, pre.buffer(), y.buffer(), g.buffer(), gz.buffer(), pre.size(), 0f, 0f);
            return new Tensor[]{gz};
        }, pre);
    }

    private static Backend checkLinear(Tensor x, Tensor w, Tensor bias) {
        Backend be = Elementwise.sameBackend("linear", x, w);
        if (w.rank() != 2 || x.rank() < 1 || x.dim(-1) != w.dim(1)) {
            throw new IllegalArgumentException("linear: input " + x.shapeString() + " does not match weight "
                    + w.shapeString() + " (expected [.., " + (w.rank() == 2 ? w.dim(1) : -1) + "])");
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != w.dim(0))) {
            throw new IllegalArgumentException("linear: bias " + bias.shapeString() + " does not match weight " + w.shapeString());
        }
        return be;
    }

    /** Records the backward rule of {@code y = x·Wᵀ + b}. */
    private static Tensor recordLinear(Tensor y, Tensor x, Tensor w, Tensor bias, int rows, int in, int out) {
        Backend be = x.backend();
        int[] xShape = x.shape();
        return y.record("linear", g -> {
            Tensor gx = x.requiresGrad() ? Tensor.empty(be, xShape) : null;
            Tensor gw = w.requiresGrad() ? Tensor.empty(be, out, in) : null, gb = null;
            if (gx != null || gw != null) {
                be.linearBackward(g.buffer(), x.buffer(), w.buffer(), gx == null ? null : gx.buffer(),
                        gw == null ? null : gw.buffer(), rows, in, out);
            }
            if (bias != null && bias.requiresGrad()) {
                gb = Reductions.reduceAxis(g.view(new int[]{rows, out}), 0, io.vrfm.backend.ReduceOp.SUM).view(new int[]{out});
            }
            return new Tensor[]{gx, gw, gb};
        }, x, w, bias);
    }
}
