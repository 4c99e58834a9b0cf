package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.BinaryOp;
import io.vrfm.backend.ReduceOp;

import java.util.Arrays;

/** Sum, mean and max over axes, and the sum-to-shape that undoes broadcasting in backward rules. */
final class Reductions {
    private Reductions() {
    }

    private static int[] normalise(String op, int[] axes, int rank) {
        if (axes == null) {
            int[] all = new int[rank];
            for (int k = 0; k < rank; k++) {
                all[k] = k;
            }
            return all;
        }
        int[] out = new int[axes.length];
        for (int k = 0; k < axes.length; k++) {
            out[k] = Shape.axis(op, axes[k], rank);
        }
        Arrays.sort(out);
        for (int k = 1; k < out.length; k++) {
            if (out[k] == out[k - 1]) {
                throw new IllegalArgumentException(op + ": axis " + out[k] + " given twice");
            }
        }
        return out;
    }

    /** Reduces one axis with keepDim (no autograd). */
    static Tensor reduceAxis(Tensor x, int axis, ReduceOp op) {
        int[] shape = x.shape();
        int outer = 1, inner = 1;
        for (int k = 0; k < axis; k++) outer *= shape[k];
        for (int k = axis + 1; k < shape.length; k++) inner *= shape[k];
        int[] outShape = shape.clone();
        outShape[axis] = 1;
        Tensor y = Tensor.empty(x.backend(), outShape);
        x.backend().reduce(op, x.buffer(), outer, shape[axis], inner, y.buffer());
        return y;
    }

    /** Raw multi-axis sum with keepDim (no autograd). */
    private static Tensor sumKeep(Tensor x, int[] axes) {
        Tensor cur = x;
        for (int k = axes.length - 1; k >= 0; k--) {
            cur = reduceAxis(cur, axes[k], ReduceOp.SUM);
        }
        return cur == x ? x.copy() : cur;
    }

    private static int[] dropAxes(int[] shape, int[] axes) {
        int[] out = new int[shape.length - axes.length];
        int j = 0;
        for (int k = 0; k < shape.length; k++) {
            if (Arrays.binarySearch(axes, k) < 0) {
                out[j++] = shape[k];
            }
        }
        return out;
    }

    static Tensor sum(Tensor x, int[] axesIn, boolean keepDim) {
        int[] axes = normalise("sum", axesIn, x.rank());
        int[] inShape = x.shape();
        Tensor kept = sumKeep(x, axes);
        int[] keptShape = kept.shape();
        Tensor y = keepDim ? kept : kept.view(dropAxes(inShape, axes));
        return y.record("sum", g -> new Tensor[]{Movement.broadcastRaw(g.view(keptShape), inShape)}, x);
    }

    static Tensor mean(Tensor x, int[] axesIn, boolean keepDim) {
        int[] axes = normalise("mean", axesIn, x.rank());
        long count = 1;
        for (int a : axes) {
            count *= x.shape()[a];
        }
        return sum(x, axes, keepDim).mul(1f / count);
    }

    static Tensor max(Tensor x, int axisIn, boolean keepDim) {
        int axis = Shape.axis("max", axisIn, x.rank());
        int[] inShape = x.shape();
        Tensor kept = reduceAxis(x, axis, ReduceOp.MAX);
        int[] keptShape = kept.shape();
        Tensor y = keepDim ? kept : kept.view(dropAxes(inShape, new int[]{axis}));
        return y.record("max", g -> {
            Tensor mask = Elementwise.apply(x, kept, BinaryOp.EQUAL);
            return new Tensor[]{Elementwise.apply(mask, g.view(keptShape), BinaryOp.MUL)};
        }, x);
    }

    /** Sums {@code g} down to {@code shape}, undoing NumPy broadcasting (no autograd). */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Shape.same(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        if (lead < 0) {
            throw new IllegalArgumentException("sumTo: cannot reduce " + Shape.str(gs) + " to " + Shape.str(shape));
        }
        int count = 0;
        int[] tmp = new int[gs.length];
        for (int k = 0; k < gs.length; k++) {
            if (k < lead || (shape[k - lead] == 1 && gs[k] != 1)) {
                tmp[count++] = k;
            }
        }
        Tensor reduced = sumKeep(g, Arrays.copyOf(tmp, count));
        return reduced.view(shape);
    }
}
