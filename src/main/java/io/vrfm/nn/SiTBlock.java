package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * A SiT (DiT) transformer block with adaLN-Zero conditioning: {@code adaLN_modulation} = SiLU → Linear to
 * {@code 6·width} (zero-initialised, so a fresh block is the identity), split into shift/scale/gate for the
 * attention and the MLP branch; both branches read a LayerNorm without affine (eps 1e-6):
 * {@code x += gate_msa·attn(modulate(norm1(x)))}, {@code x += gate_mlp·mlp(modulate(norm2(x)))} with
 * {@code modulate(h) = h·(1 + scale) + shift}.
 */
public final class SiTBlock extends Module {
    private final LayerNorm norm1, norm2;
    private final SelfAttention attn;
    private final FeedForward mlp;
    private final Linear modulation;
    private final int width;

    public SiTBlock(Backend be, Rng rng, int width, int heads, float mlpRatio) {
        this.width = width;
        this.norm1 = child("norm1", new LayerNorm(be, width, false, 1e-6f));
        this.attn = child("attn", new SelfAttention(be, rng, width, heads));
        this.norm2 = child("norm2", new LayerNorm(be, width, false, 1e-6f));
        this.mlp = child("mlp", new FeedForward(be, rng, width, (int) (width * mlpRatio)));
        this.modulation = child("adaLN_modulation", new Slots()).put(1, new Linear(be, rng, width, 6 * width));
        for (Module m : new Module[]{attn, mlp}) {
            for (Module l : m.children().values()) {
                SiTInit.xavier((Linear) l, rng);
            }
        }
        Zero.init(modulation);
    }

    /** {@code x [N, T, width]}, conditioning {@code c [N, width]}. */
    public Tensor forward(Tensor x, Tensor c) {
        Tensor[] m = modulation.forward(c.silu()).split(1, width, width, width, width, width, width);
        x = x.add(unsqueeze(m[2]).mul(attn.forward(modulate(norm1.forward(x), m[0], m[1]))));
        return x.add(unsqueeze(m[5]).mul(mlp.forward(modulate(norm2.forward(x), m[3], m[4]))));
    }

    /** SiT's {@code modulate}: {@code x·(1 + scale) + shift} with per-sample {@code [N, W]} scale and shift. */
    static Tensor modulate(Tensor x, Tensor shift, Tensor scale) {
        return x.mul(unsqueeze(scale).add(1f)).add(unsqueeze(shift));
    }

    private static Tensor unsqueeze(Tensor t) {
        return t.reshape(t.dim(0), 1, t.dim(1));
    }
}
