package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * Multi-head self-attention over the spatial positions of {@code [N, C, H, W]}, as torchcfm's
 * {@code AttentionBlock} with the legacy head order ({@code QKVAttentionLegacy}): {@code qkv} is a 1×1 Conv1d to
 * {@code 3C} channels, read per head as {@code [q | k | v]} blocks of {@code C/heads} channels; both {@code q} and
 * {@code k} are scaled by {@code ch^(-1/4)}; softmax over keys; {@code proj_out} (zero-initialised) and a residual.
 * Parameters: {@code norm}, {@code qkv.weight [3C, C, 1]}, {@code proj_out.weight [C, C, 1]} and biases.
 */
public final class AttentionBlock extends Module implements EmbBlock {
    private final GroupNorm norm;
    private final Conv1x1 qkv, projOut;
    private final int channels, heads;

    /** {@code numHeadChannels = -1} uses {@code numHeads}; otherwise heads = channels / numHeadChannels. */
    public AttentionBlock(Backend be, Rng rng, int channels, int numHeads, int numHeadChannels, int groups) {
        if (numHeadChannels != -1 && channels % numHeadChannels != 0) {
            throw new IllegalArgumentException("AttentionBlock: " + channels + " channels not divisible by "
                    + numHeadChannels + " channels per head");
        }
        this.channels = channels;
        this.heads = numHeadChannels == -1 ? numHeads : channels / numHeadChannels;
        if (channels % heads != 0) {
            throw new IllegalArgumentException("AttentionBlock: " + channels + " channels not divisible into " + heads + " heads");
        }
        this.norm = child("norm", new GroupNorm(be, groups, channels));
        this.qkv = child("qkv", new Conv1x1(be, rng, channels, 3 * channels));
        this.projOut = child("proj_out", Zero.init(new Conv1x1(be, rng, channels, channels)));
    }

    public Tensor forward(Tensor x) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), t = h * w;
        if (c != channels) {
            throw new IllegalArgumentException("AttentionBlock: input " + x.shapeString() + " has not " + channels + " channels");
        }
        int ch = c / heads;
        Tensor tokens = norm.forward(x.reshape(n, c, t)).transpose(1, 2);           // [N, T, C]
        Tensor packed = qkv.forward(tokens)                                          // [N, T, 3C]
                .reshape(n, t, heads, 3 * ch).permute(0, 2, 1, 3).reshape(n * heads, t, 3 * ch);
        Tensor[] parts = packed.split(2, ch, ch, ch);
        float scale = (float) (1.0 / Math.sqrt(Math.sqrt(ch)));
        Tensor weight = parts[0].mul(scale).matmul(parts[1].mul(scale).transpose(1, 2)).softmax(); // [NH, T, T]
        Tensor a = weight.matmul(parts[2])                                           // [NH, T, ch]
                .reshape(n, heads, t, ch).permute(0, 2, 1, 3).reshape(n, t, c);
        Tensor out = projOut.forward(a).transpose(1, 2).reshape(n, c, h, w);
        return x.add(out);
    }

    @Override
    public Tensor forward(Tensor x, Tensor emb) {
        return forward(x);
    }

    public int heads() {
        return heads;
    }
}
