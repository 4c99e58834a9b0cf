package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * torchcfm's {@code TimestepEmbedSequential}: members named {@code 0}, {@code 1}, …, each given the embedding
 * when it is an {@link EmbBlock}.
 */
public final class EmbSequential extends Module implements EmbBlock {
    private final List<EmbBlock> items = new ArrayList<>();

    public <M extends Module & EmbBlock> M add(M block) {
        child(Integer.toString(items.size()), block);
        items.add(block);
        return block;
    }

    /** A plain convolution member (torchcfm's first input block is a bare Conv2d). */
    public Conv2d add(Conv2d conv) {
        child(Integer.toString(items.size()), conv);
        items.add((x, emb) -> conv.forward(x));
        return conv;
    }

    @Override
    public Tensor forward(Tensor x, Tensor emb) {
        for (EmbBlock b : items) {
            x = b.forward(x, emb);
        }
        return x;
    }

    public int size() {
        return items.size();
    }

    public EmbBlock get(int i) {
        return items.get(i);
    }
}
