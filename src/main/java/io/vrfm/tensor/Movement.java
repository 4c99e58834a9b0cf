package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.BinaryOp;

/** Shape movement: reshape, permute, slice/split/concat, broadcast (expand) and row gather, with backward rules. */
final class Movement {
    private Movement() {
    }

    static Tensor reshape(Tensor x, int[] newShape) {
        int[] target = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int k = 0; k < target.length; k++) {
            if (target[k] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.str(newShape));
                }
                infer = k;
            } else {
                known *= target[k];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + x.shapeString() + " to " + Shape.str(newShape));
            }
            target[infer] = (int) (x.size() / known);
        }
        if (Shape.numel(target) != x.size()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + x.shapeString() + " (" + x.size()
                    + " elements) to " + Shape.str(newShape));
        }
        int[] inShape = x.shape();
        return x.view(target).record("reshape", g -> new Tensor[]{g.view(inShape)}, x);
    }

    static Tensor flatten(Tensor x, int startAxis) {
        int start = Shape.axis("flatten", startAxis, x.rank());
        int[] s = x.shape();
        int[] out = new int[start + 1];
        System.arraycopy(s, 0, out, 0, start);
        out[start] = -1;
        return reshape(x, out);
    }

    static Tensor permute(Tensor x, int[] perm) {
        int rank = x.rank();
        if (perm.length != rank) {
            throw new IllegalArgumentException("permute: " + perm.length + " axes for tensor " + x.shapeString());
        }
        boolean[] seen = new boolean[rank];
        int[] p = new int[rank];
        int[] inv = new int[rank];
        int[] inShape = x.shape();
        int[] outShape = new int[rank];
        for (int k = 0; k < rank; k++) {
            p[k] = Shape.axis("permute", perm[k], rank);
            if (seen[p[k]]) {
                throw new IllegalArgumentException("permute: axis " + p[k] + " repeated in " + Shape.str(perm));
            }
            seen[p[k]] = true;
            inv[p[k]] = k;
            outShape[k] = inShape[p[k]];
        }
        Tensor y = Tensor.empty(x.backend(), outShape);
        x.backend().permute(x.buffer(), inShape, p, y.buffer());
        return y.record("permute", g -> {
            Tensor gx = Tensor.empty(x.backend(), inShape);
            x.backend().permute(g.buffer(), outShape, inv, gx.buffer());
            return new Tensor[]{gx};
        }, x);
    }

    static Tensor transpose(Tensor x, int a, int b) {
        int rank = x.rank();
        int[] perm = new int[rank];
        for (int k = 0; k < rank; k++) perm[k] = k;
        int aa = Shape.axis("transpose", a, rank), bb = Shape.axis("transpose", b, rank);
        perm[aa] = bb;
        perm[bb] = aa;
        return permute(x, perm);
    }

    private static long outer(int[] shape, int axis) {
        long o = 1;
        for (int k = 0; k < axis; k++) o *= shape[k];
        return o;
    }

    private static long inner(int[] shape, int axis) {
        long o = 1;
        for (int k = axis + 1; k < shape.length; k++) o *= shape[k];
        return o;
    }

    static Tensor slice(Tensor x, int axisIn, int start, int end) {
        int axis = Shape.axis("slice", axisIn, x.rank());
        int[] inShape = x.shape();
        if (start < 0 || end > inShape[axis] || start > end) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") outside axis " + axis
                    + " of " + x.shapeString());
        }
        int[] outShape = inShape.clone();
        outShape[axis] = end - start;
        int rows = (int) outer(inShape, axis), in = (int) inner(inShape, axis);
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, outShape);
        be.copy2d(x.buffer(), (long) start * in, inShape[axis] * in, y.buffer(), 0, (end - start) * in, rows, (end - start) * in);
        return y.record("slice", g -> {
            Tensor gx = Tensor.zeros(be, inShape);
            be.copy2d(g.buffer(), 0, (end - start) * in, gx.buffer(), (long) start * in, inShape[axis] * in, rows, (end - start) * in);
            return new Tensor[]{gx};
        }, x);
    }

    static Tensor[] split(Tensor x, int axisIn, int[] sizes) {
        int axis = Shape.axis("split", axisIn, x.rank());
        int total = 0;
        for (int s : sizes) total += s;
        if (total != x.dim(axis)) {
            throw new IllegalArgumentException("split: sizes " + Shape.str(sizes) + " do not add up to axis " + axis
                    + " of " + x.shapeString());
        }
        Tensor[] out = new Tensor[sizes.length];
        int at = 0;
        for (int k = 0; k < sizes.length; k++) {
            out[k] = slice(x, axis, at, at + sizes[k]);
            at += sizes[k];
        }
        return out;
    }

    static Tensor concat(int axisIn, Tensor[] parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: no tensors");
        }
        int rank = parts[0].rank();
        int axis = Shape.axis("concat", axisIn, rank);
        int[] outShape = parts[0].shape();
        int sum = 0;
        for (Tensor p : parts) {
            Elementwise.sameBackend("concat", parts[0], p);
            int[] s = p.shape();
            if (s.length != rank) {
                throw new IllegalArgumentException("concat: shapes " + parts[0].shapeString() + " and " + p.shapeString()
                        + " differ in rank");
            }
            for (int k = 0; k < rank; k++) {
                if (k != axis && s[k] != outShape[k]) {
                    throw new IllegalArgumentException("concat: shapes " + parts[0].shapeString() + " and "
                            + p.shapeString() + " differ outside axis " + axis);
                }
            }
            sum += s[axis];
        }
        outShape[axis] = sum;
        Backend be = parts[0].backend();
        Tensor y = Tensor.empty(be, outShape);
        int rows = (int) outer(outShape, axis), in = (int) inner(outShape, axis);
        int[] offsets = new int[parts.length];
        int at = 0;
        for (int q = 0; q < parts.length; q++) {
            int len = parts[q].dim(axis);
            offsets[q] = at;
            be.copy2d(parts[q].buffer(), 0, len * in, y.buffer(), (long) at * in, sum * in, rows, len * in);
            at += len;
        }
        final int total = sum;
        return y.record("concat", g -> {
            Tensor[] grads = new Tensor[parts.length];
            for (int q = 0; q < parts.length; q++) {
                if (!parts[q].requiresGrad()) continue;
                int len = parts[q].dim(axis);
                Tensor gq = Tensor.empty(be, parts[q].shape());
                be.copy2d(g.buffer(), (long) offsets[q] * in, total * in, gq.buffer(), 0, len * in, rows, len * in);
                grads[q] = gq;
            }
            return grads;
        }, parts);
    }

    /** Broadcast copy without autograd. */
    static Tensor broadcastRaw(Tensor x, int[] target) {
        Shape.broadcast("expand", x.shape(), target);
        if (Shape.same(x.shape(), target)) {
            return x;
        }
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, target);
        Tensor zero = Tensor.zeros(be);
        be.binary(BinaryOp.ADD, x.buffer(), Shape.broadcastStrides(x.shape(), target), zero.buffer(),
                new int[target.length], y.buffer(), target);
        return y;
    }

    static Tensor expand(Tensor x, int[] target) {
        int[] out = Shape.broadcast("expand", x.shape(), target);
        if (!Shape.same(out, target)) {
            throw new IllegalArgumentException("expand: " + x.shapeString() + " cannot expand to " + Shape.str(target));
        }
        int[] inShape = x.shape();
        Tensor y = broadcastRaw(x, target);
        if (y == x) {
            return x;
        }
        return y.record("expand", g -> new Tensor[]{Reductions.sumTo(g, inShape)}, x);
    }

    static Tensor indexSelect(Tensor table, Tensor index) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("indexSelect: table must be [rows, cols], got " + table.shapeString());
        }
        Elementwise.sameBackend("indexSelect", table, index);
        int rows = table.dim(0), cols = table.dim(1);
        int count = (int) index.size();
        int[] outShape = new int[index.rank() + 1];
        System.arraycopy(index.shape(), 0, outShape, 0, index.rank());
        outShape[index.rank()] = cols;
        Backend be = table.backend();
        Tensor y = Tensor.empty(be, outShape);
        be.gatherRows(table.buffer(), rows, cols, index.buffer(), count, y.buffer());
        return y.record("indexSelect", g -> {
            Tensor gt = Tensor.zeros(be, rows, cols);
            be.scatterAddRows(g.buffer(), index.buffer(), count, cols, gt.buffer());
            return new Tensor[]{gt, null};
        }, table, index);
    }
}
