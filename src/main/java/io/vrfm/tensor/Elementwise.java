package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.BinaryOp;
import io.vrfm.backend.UnaryOp;

/** Element-wise ops: unary functions and broadcasting binary arithmetic, each with its backward rule. */
final class Elementwise {
    private Elementwise() {
    }

    static Backend sameBackend(String op, Tensor a, Tensor b) {
        if (a.backend() != b.backend()) {
            throw new IllegalArgumentException(op + ": operands live on different backends (" + a.backend().name()
                    + " and " + b.backend().name() + "); move one with .to(backend)");
        }
        return a.backend();
    }

    static Tensor unary(Tensor x, UnaryOp op, float p0, float p1) {
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, x.shape());
        be.unary(op, x.buffer(), y.buffer(), x.size(), p0, p1);
        if (op == UnaryOp.GREATER_THAN) {
            return y;
        }
        return y.record(op.label(), g -> {
            Tensor gx = Tensor.empty(be, x.shape());
            be.unaryBackward(op, x.buffer(), y.buffer(), g.buffer(), gx.buffer(), x.size(), p0, p1);
            return new Tensor[]{gx};
        }, x);
    }

    /** Raw broadcasting binary op without autograd. */
    static Tensor apply(Tensor a, Tensor b, BinaryOp op) {
        Backend be = sameBackend(op.label(), a, b);
        int[] out = Shape.broadcast(op.label(), a.shape(), b.shape());
        Tensor y = Tensor.empty(be, out);
        be.binary(op, a.buffer(), Shape.broadcastStrides(a.shape(), out), b.buffer(),
                Shape.broadcastStrides(b.shape(), out), y.buffer(), out);
        return y;
    }

    static Tensor binary(Tensor a, Tensor b, BinaryOp op) {
        Tensor y = apply(a, b, op);
        if (op == BinaryOp.EQUAL) {
            return y;
        }
        return y.record(op.label(), g -> {
            Tensor ga = null, gb = null;
            switch (op) {
                case ADD:
                    ga = a.requiresGrad() ? Reductions.sumTo(g, a.shape()) : null;
                    gb = b.requiresGrad() ? Reductions.sumTo(g, b.shape()) : null;
                    break;
                case SUB:
                    ga = a.requiresGrad() ? Reductions.sumTo(g, a.shape()) : null;
                    gb = b.requiresGrad() ? Reductions.sumTo(g.neg(), b.shape()) : null;
                    break;
                case MUL:
                    ga = a.requiresGrad() ? Reductions.sumTo(g.mul(b), a.shape()) : null;
                    gb = b.requiresGrad() ? Reductions.sumTo(g.mul(a), b.shape()) : null;
                    break;
                case DIV:
                    ga = a.requiresGrad() ? Reductions.sumTo(g.div(b), a.shape()) : null;
                    gb = b.requiresGrad() ? Reductions.sumTo(g.mul(y).div(b).neg(), b.shape()) : null;
                    break;
                case MAX: {
                    Tensor fromA = apply(y, a, BinaryOp.EQUAL);
                    ga = a.requiresGrad() ? Reductions.sumTo(g.mul(fromA), a.shape()) : null;
                    gb = b.requiresGrad() ? Reductions.sumTo(g.mul(fromA.affine(-1f, 1f)), b.shape()) : null;
                    break;
                }
                default:
                    throw new IllegalStateException(op.name());
            }
            return new Tensor[]{ga, gb};
        }, a, b);
    }
}
