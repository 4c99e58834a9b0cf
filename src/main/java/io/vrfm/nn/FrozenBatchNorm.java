package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Tensor;

/**
 * Batch normalisation in inference mode with PyTorch's parameter names ({@code weight}, {@code bias},
 * {@code running_mean}, {@code running_var}): {@code y = (x − mean)/√(var + eps)·weight + bias}, folded into one
 * per-channel scale and shift. It is never trained here (the statistics come from a loaded model).
 */
public final class FrozenBatchNorm extends Module {
    private final Tensor weight, bias, runningMean, runningVar;
    private final float eps;

    public FrozenBatchNorm(Backend be, int channels, float eps) {
        this.weight = param("weight", Tensor.ones(be, channels));
        this.bias = param("bias", Tensor.zeros(be, channels));
        this.runningMean = param("running_mean", Tensor.zeros(be, channels));
        this.runningVar = param("running_var", Tensor.ones(be, channels));
        this.eps = eps;
    }

    /** NCHW (or NC) input, one statistic per channel (axis 1). */
    public Tensor forward(Tensor x) {
        int c = weight.dim(0);
        if (x.rank() < 2 || x.dim(1) != c) {
            throw new IllegalArgumentException("batch norm: input " + x.shapeString() + " does not have " + c + " channels");
        }
        Tensor scale = weight.div(runningVar.add(eps).sqrt());
        Tensor shift = bias.sub(runningMean.mul(scale));
        int[] col = new int[x.rank()];
        java.util.Arrays.fill(col, 1);
        col[1] = c;
        return x.mul(scale.reshape(col)).add(shift.reshape(col));
    }
}
