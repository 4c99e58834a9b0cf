package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Tensor;

/** Group normalisation over NCHW channels with per-channel {@code weight}/{@code bias}. */
public final class GroupNorm extends Module {
    private final int groups;
    private final float eps;
    private final Tensor weight, bias;

    public GroupNorm(Backend be, int groups, int channels) {
        this(be, groups, channels, 1e-5f);
    }

    public GroupNorm(Backend be, int groups, int channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels not divisible into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        this.weight = param("weight", Tensor.ones(be, channels));
        this.bias = param("bias", Tensor.zeros(be, channels));
    }

    public Tensor forward(Tensor x) {
        return NeuralOps.groupNorm(x, groups, weight, bias, eps);
    }
}
