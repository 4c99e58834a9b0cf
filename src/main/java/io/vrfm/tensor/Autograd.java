package io.vrfm.tensor;

import io.vrfm.backend.BinaryOp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over the dynamic graph. The topological order is built iteratively (deep
 * networks must not overflow the Java stack); leaf gradients accumulate ({@code +=}); the graph is dropped
 * afterwards so intermediate storage can be reclaimed.
 */
final class Autograd {
    private Autograd() {
    }

    static void backward(Tensor root, Tensor seed) {
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (int idx = order.size() - 1; idx >= 0; idx--) {
                Tensor t = order.get(idx);
                Tensor g = grads.remove(t);
                Node node = t.node;
                if (g == null || node == null) {
                    continue;
                }
                Tensor[] inGrads = node.rule.apply(g);
                for (int q = 0; q < node.inputs.length; q++) {
                    Tensor in = node.inputs[q];
                    Tensor gi = inGrads[q];
                    if (gi == null || in == null || !in.requiresGrad()) {
                        continue;
                    }
                    if (!Shape.same(gi.shape(), in.shape())) {
                        throw new IllegalStateException("autograd: backward of " + node.op + " produced gradient "
                                + Shape.str(gi.shape()) + " for input " + Shape.str(in.shape()));
                    }
                    if (in.node == null) {
                        accumulateLeaf(in, gi);
                    } else {
                        Tensor prev = grads.get(in);
                        grads.put(in, prev == null ? gi : prev.add(gi));
                    }
                }
            }
        }
        for (Tensor t : order) {
            t.node = null;
        }
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        if (leaf.grad == null) {
            leaf.grad = g.copy();
        } else {
            addInPlace(leaf.grad, g);
        }
    }

    /** {@code target += g} element-wise (same shape). */
    static void addInPlace(Tensor target, Tensor g) {
        int[] strides = Shape.strides(target.shape());
        target.backend().binary(BinaryOp.ADD, target.buffer(), strides, g.buffer(), strides, target.buffer(),
                target.shape());
    }

    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.node;
            if (node != null && next < node.inputs.length) {
                frame[1] = next + 1;
                Tensor in = node.inputs[next];
                if (in != null && in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(new Object[]{in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
