package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * A small image classifier whose penultimate activations serve as FID features ("classifier-FID"):
 * {@code conv1} 3×3 (C → 16), SiLU, 2×2 average pool, {@code conv2} 3×3 (16 → 32), SiLU, 2×2 average pool,
 * flatten, {@code fc1} → {@code featureDim} with SiLU (the features), {@code fc2} → classes.
 * Odd sizes pool in floor mode (28 → 14 → 7; 32 → 16 → 8).
 */
public final class SmallCnn extends Module {
    private final Conv2d conv1, conv2;
    private final Linear fc1, fc2;
    private final int featureDim;

    public SmallCnn(Backend be, Rng rng, int channels, int height, int width, int featureDim, int classes) {
        this.featureDim = featureDim;
        this.conv1 = child("conv1", new Conv2d(be, rng, channels, 16, 3, 1, 1));
        this.conv2 = child("conv2", new Conv2d(be, rng, 16, 32, 3, 1, 1));
        this.fc1 = child("fc1", new Linear(be, rng, 32 * (height / 4) * (width / 4), featureDim));
        this.fc2 = child("fc2", new Linear(be, rng, featureDim, classes));
    }

    /** Penultimate features {@code [N, featureDim]}. */
    public Tensor features(Tensor x) {
        Tensor h = MnistResNetEncoder.pool(conv1.forward(x).silu());
        h = MnistResNetEncoder.pool(conv2.forward(h).silu());
        return fc1.forward(h.flatten(1)).silu();
    }

    /** Class logits {@code [N, classes]}. */
    public Tensor logits(Tensor x) {
        return fc2.forward(features(x));
    }

    public int featureDim() {
        return featureDim;
    }

    /** Mean cross-entropy of logits against integer labels. */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        int n = logits.dim(0), k = logits.dim(1);
        float[] onehot = new float[n * k];
        for (int i = 0; i < n; i++) {
            onehot[i * k + labels[i]] = 1f;
        }
        Tensor target = Tensor.of(logits.backend(), onehot, n, k);
        return logits.logSoftmax().mul(target).sum().mul(-1f / n);
    }

}
