package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * SiT's {@code LabelEmbedder}: a table {@code embedding_table.weight [classes (+1), width]} (N(0, 0.02²) at start).
 * With a label-dropout probability above 0 the table has one extra row, the <em>null class</em> (index
 * {@code classes}), which classifier-free guidance uses as the unconditional input; {@link #dropLabels} replaces
 * each label by it with that probability while training. Labels are float tensors holding exact integers.
 */
public final class LabelEmbedder extends Module {
    private final Tensor table;
    private final int classes;
    private final float dropout;

    public LabelEmbedder(Backend be, Rng rng, int classes, int width, float dropout) {
        if (classes <= 0) {
            throw new IllegalArgumentException("LabelEmbedder: needs at least one class, got " + classes);
        }
        if (dropout < 0f || dropout >= 1f) {
            throw new IllegalArgumentException("LabelEmbedder: label dropout " + dropout + " must be in [0, 1)");
        }
        this.classes = classes;
        this.dropout = dropout;
        this.table = child("embedding_table", new Table(
                Tensor.randn(be, rng, classes + (dropout > 0f ? 1 : 0), width).mul(0.02f))).weight;
    }

    /** PyTorch's {@code nn.Embedding}: one parameter named {@code weight}. */
    private static final class Table extends Module {
        final Tensor weight;

        Table(Tensor w) {
            this.weight = param("weight", w);
        }
    }

    /** {@code labels [N]} → {@code [N, width]}. */
    public Tensor forward(Tensor labels) {
        float[] l = labels.toArray();
        int max = hasNullClass() ? classes : classes - 1;
        for (float v : l) {
            if (v != Math.rint(v) || v < 0 || v > max) {
                throw new IllegalArgumentException("label " + v + " is not a class in [0, " + (classes - 1) + "]"
                        + (hasNullClass() ? " or the null class " + classes : ""));
            }
        }
        return table.indexSelect(labels.reshape(labels.dim(0)));
    }

    /**
     * Label dropout: each label becomes the null class with the dropout probability, drawn from {@code rng}
     * (so a training step's drops are a function of its generator); unchanged when not training or without
     * dropout.
     */
    public Tensor dropLabels(Tensor labels, Rng rng) {
        if (!isTraining() || dropout == 0f) {
            return labels;
        }
        float[] u = Tensor.rand(labels.backend(), rng, labels.dim(0)).toArray();
        float[] l = labels.toArray();
        for (int i = 0; i < l.length; i++) {
            if (u[i] < dropout) {
                l[i] = classes;
            }
        }
        return Tensor.of(labels.backend(), l, labels.shape());
    }

    public boolean hasNullClass() {
        return dropout > 0f;
    }

    public int classes() {
        return classes;
    }
}
