package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * GroupNorm whose output is modulated by an embedding: {@code GN(x)·(1 + scale) + shift} with
 * {@code [scale, shift] = Linear(SiLU(emb))} — the "scale-shift norm" of guided diffusion. Parameters:
 * {@code norm.weight/bias} (the GroupNorm's own affine) and {@code proj.weight [2C, E]}, {@code proj.bias [2C]}.
 */
public final class AdaptiveGroupNorm extends Module {
    private final GroupNorm norm;
    private final Linear proj;
    private final int channels;

    public AdaptiveGroupNorm(Backend be, Rng rng, int groups, int channels, int embDim) {
        this.channels = channels;
        this.norm = child("norm", new GroupNorm(be, groups, channels));
        this.proj = child("proj", new Linear(be, rng, embDim, 2 * channels));
    }

    /** {@code x [N, C, ...]}, {@code emb [N, E]}. */
    public Tensor forward(Tensor x, Tensor emb) {
        return modulate(norm.forward(x), proj.forward(emb.silu()));
    }

    /**
     * {@code h·(1 + scale) + shift} where {@code scaleShift [N, 2C]} holds scale in its first half; {@code h} is
     * {@code [N, C, ...]}.
     */
    public static Tensor modulate(Tensor h, Tensor scaleShift) {
        int n = h.dim(0), c = h.dim(1);
        if (scaleShift.rank() != 2 || scaleShift.dim(0) != n || scaleShift.dim(1) != 2 * c) {
            throw new IllegalArgumentException("modulate: scale/shift " + scaleShift.shapeString()
                    + " does not match features " + h.shapeString() + " (expected [" + n + ", " + 2 * c + "])");
        }
        int[] bshape = new int[h.rank()];
        java.util.Arrays.fill(bshape, 1);
        bshape[0] = n;
        bshape[1] = c;
        Tensor[] parts = scaleShift.split(1, c, c);
        Tensor scale = parts[0].reshape(bshape), shift = parts[1].reshape(bshape);
        return h.mul(scale.add(1f)).add(shift);
    }

    public int channels() {
        return channels;
    }
}
