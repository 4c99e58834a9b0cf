package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.EnumSet;

/**
 * The MNIST posterior {@code q_φ(z | x0, x1, x_t, t)} of paper App. D.2: one encoder per input — a 3×3 conv to
 * {@code width} channels for each image input ({@code enc_x0}, {@code enc_x1}, {@code enc_xt}), and for {@code t}
 * a sinusoidal encoding + Linear → SiLU → Linear ({@code time_embed}) tiled over H×W — concatenated on channels,
 * then a 3×3 in-projection ({@code in_proj}), three ResNet blocks each followed by 2×2 average pooling
 * ({@code blocks}; odd sizes drop the last row/column as PyTorch's AvgPool2d does: 28 → 14 → 7 → 3), flattened,
 * and two Linear layers with a SiLU between ({@code head.0}, {@code head.2}) to {@code [μ, log σ²]}.
 */
public final class MnistResNetEncoder extends Module implements PosteriorEncoder {
    private final EnumSet<PosteriorInput> inputs;
    private final int latentDim, width;
    private final Conv2d encX0, encX1, encXt, inProj;
    private final SinusoidalEmbedding timeFeatures;
    private final Linear time0, time2, head0, head2;
    private final ResNetBlock[] blocks = new ResNetBlock[3];

    public MnistResNetEncoder(Backend be, Rng rng, int channels, int imageSize, int width, int latentDim,
                              EnumSet<PosteriorInput> inputs) {
        this.inputs = EnumSet.copyOf(inputs);
        this.latentDim = latentDim;
        this.width = width;
        int parts = 0;
        encX0 = inputs.contains(PosteriorInput.X0) ? child("enc_x0", new Conv2d(be, rng, channels, width, 3, 1, 1)) : null;
        encX1 = inputs.contains(PosteriorInput.X1) ? child("enc_x1", new Conv2d(be, rng, channels, width, 3, 1, 1)) : null;
        encXt = inputs.contains(PosteriorInput.XT) ? child("enc_xt", new Conv2d(be, rng, channels, width, 3, 1, 1)) : null;
        for (Conv2d c : new Conv2d[]{encX0, encX1, encXt}) {
            if (c != null) parts++;
        }
        if (inputs.contains(PosteriorInput.T)) {
            timeFeatures = new SinusoidalEmbedding(be, width, 10000f, 1000f);
            Slots te = child("time_embed", new Slots());
            time0 = te.put(0, new Linear(be, rng, width, width));
            time2 = te.put(2, new Linear(be, rng, width, width));
            parts++;
        } else {
            timeFeatures = null;
            time0 = null;
            time2 = null;
        }
        if (parts == 0) {
            throw new IllegalArgumentException("MnistResNetEncoder: no inputs");
        }
        this.inProj = child("in_proj", new Conv2d(be, rng, parts * width, width, 3, 1, 1));
        ModuleList list = child("blocks", new ModuleList());
        int s = imageSize;
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = list.add(new ResNetBlock(be, rng, width));
            s /= 2;
        }
        if (s < 1) {
            throw new IllegalArgumentException("MnistResNetEncoder: image size " + imageSize + " too small for three poolings");
        }
        Slots head = child("head", new Slots());
        this.head0 = head.put(0, new Linear(be, rng, width * s * s, 2 * width));
        this.head2 = head.put(2, new Linear(be, rng, 2 * width, 2 * latentDim));
    }

    /** 2×2 average pooling that drops a trailing odd row/column (PyTorch's floor mode). */
    static Tensor pool(Tensor x) {
        int h = x.dim(2), w = x.dim(3);
        if (h % 2 == 1) x = x.slice(2, 0, h - 1);
        if (w % 2 == 1) x = x.slice(3, 0, w - 1);
        return NeuralOps.avgPool2d(x, 2);
    }

    @Override
    public Tensor[] encode(Tensor x0, Tensor x1, Tensor xt, Tensor t) {
        java.util.List<Tensor> feats = new java.util.ArrayList<>();
        Tensor ref = x1 != null ? x1 : x0 != null ? x0 : xt;
        if (encX0 != null) feats.add(encX0.forward(need(x0, "x0")));
        if (encX1 != null) feats.add(encX1.forward(need(x1, "x1")));
        if (encXt != null) feats.add(encXt.forward(need(xt, "xt")));
        if (time0 != null) {
            int n = need(t, "t").dim(0);
            Tensor e = time2.forward(time0.forward(timeFeatures.forward(t.reshape(n))).silu());
            if (ref == null) {
                throw new IllegalArgumentException("MnistResNetEncoder: t alone has no spatial size; add an image input");
            }
            feats.add(e.reshape(n, width, 1, 1).expand(n, width, ref.dim(2), ref.dim(3)));
        }
        Tensor h = inProj.forward(feats.size() == 1 ? feats.get(0) : Tensor.concat(1, feats.toArray(new Tensor[0])));
        for (ResNetBlock b : blocks) {
            h = pool(b.forward(h));
        }
        Tensor out = head2.forward(head0.forward(h.flatten(1)).silu());
        return out.split(1, latentDim, latentDim);
    }

    private static Tensor need(Tensor x, String name) {
        if (x == null) {
            throw new IllegalArgumentException("posterior encoder: input " + name + " is required but null");
        }
        return x;
    }

    @Override
    public int latentDim() {
        return latentDim;
    }

    @Override
    public EnumSet<PosteriorInput> inputs() {
        return EnumSet.copyOf(inputs);
    }
}
