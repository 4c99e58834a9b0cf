package io.vrfm.tensor;

/**
 * One recorded operation of the autograd graph: its inputs and its backward rule, which maps the gradient of the
 * output to the gradients of the inputs (null where an input needs none).
 */
final class Node {
    @FunctionalInterface
    interface Rule {
        Tensor[] apply(Tensor gradOut);
    }

    final String op;
    final Tensor[] inputs;
    final Rule rule;

    Node(String op, Tensor[] inputs, Rule rule) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
    }
}
