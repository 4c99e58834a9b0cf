package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * Multi-head self-attention over tokens {@code [N, T, width]} as timm's {@code Attention} (used by DiT / SiT):
 * {@code qkv} Linear to {@code 3·width} read as {@code [3, heads, headDim]} per token, the fused
 * {@link NeuralOps#attention} with scale {@code headDim^(−1/2)}, heads concatenated, then {@code proj}.
 * Parameters: {@code qkv.weight [3W, W]}, {@code qkv.bias}, {@code proj.weight [W, W]}, {@code proj.bias}.
 */
public final class SelfAttention extends Module {
    private final Linear qkv, proj;
    private final int width, heads;

    public SelfAttention(Backend be, Rng rng, int width, int heads) {
        if (heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("SelfAttention: width " + width + " is not divisible into " + heads + " heads");
        }
        this.width = width;
        this.heads = heads;
        this.qkv = child("qkv", new Linear(be, rng, width, 3 * width));
        this.proj = child("proj", new Linear(be, rng, width, width));
    }

    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.dim(2) != width) {
            throw new IllegalArgumentException("SelfAttention: input " + x.shapeString() + " must be [N, T, " + width + "]");
        }
        int n = x.dim(0), t = x.dim(1), hd = width / heads;
        Tensor[] qkvParts = qkv.forward(x).reshape(n, t, 3, heads, hd).permute(2, 0, 3, 1, 4).split(0, 1, 1, 1);
        Tensor q = qkvParts[0].reshape(n, heads, t, hd);
        Tensor k = qkvParts[1].reshape(n, heads, t, hd);
        Tensor v = qkvParts[2].reshape(n, heads, t, hd);
        Tensor a = NeuralOps.attention(q, k, v).permute(0, 2, 1, 3).reshape(n, t, width);
        return proj.forward(a);
    }

    public int heads() {
        return heads;
    }
}
