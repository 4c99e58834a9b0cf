package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * The Inception-v3 network of the standard PyTorch FID tool (TensorFlow's 2015-12-05 graph ported to PyTorch):
 * torchvision's Inception3 structure with 1008 classes and no auxiliary head, whose InceptionA/C/E blocks average-pool
 * without counting the zero padding and whose last E block ({@code Mixed_7c}) max-pools instead. Parameter names are
 * that tool's state-dict names ({@code Conv2d_1a_3x3.conv.weight}, {@code Mixed_5b.branch1x1.bn.running_mean}, …,
 * {@code fc.weight}), so its converted weights load by name.
 *
 * <p>{@link #forward} takes images in [−1, 1] (one or three channels; one is repeated), resizes them bilinearly to
 * {@link #inputSize()} (299 for FID) and returns the 2048-d global average of {@code Mixed_7c} ("pool3", the FID
 * features) and the 1008 logits (for the Inception Score). Inference only: batch norm uses its running statistics.
 */
public final class FidInceptionV3 extends Module {
    /** The resize target of the FID tool. */
    public static final int FID_SIZE = 299;
    /** The smallest input the network accepts (the last reduction blocks need at least 3×3). */
    public static final int MIN_SIZE = 75;
    public static final int FEATURES = 2048;
    public static final int CLASSES = 1008;

    private final int inputSize;
    private final ConvBnRelu conv1a, conv2a, conv2b, conv3b, conv4a;
    private final Module[] mixed;
    private final Linear fc;

    /** Pool3 features {@code [N, 2048]} and logits {@code [N, 1008]}. */
    public record Output(Tensor pool3, Tensor logits) {
    }

    /** A network with placeholder weights (load real ones by name) resizing its input to {@code inputSize}. */
    public FidInceptionV3(Backend be, Rng rng, int inputSize) {
        if (inputSize < MIN_SIZE) {
            throw new IllegalArgumentException("Inception-v3: input size " + inputSize + " is below " + MIN_SIZE);
        }
        this.inputSize = inputSize;
        conv1a = child("Conv2d_1a_3x3", new ConvBnRelu(be, rng, 3, 32, 3, 3, 2, 0, 0));
        conv2a = child("Conv2d_2a_3x3", new ConvBnRelu(be, rng, 32, 32, 3, 3, 1, 0, 0));
        conv2b = child("Conv2d_2b_3x3", new ConvBnRelu(be, rng, 32, 64, 3, 3, 1, 1, 1));
        conv3b = child("Conv2d_3b_1x1", new ConvBnRelu(be, rng, 64, 80, 1, 1, 1, 0, 0));
        conv4a = child("Conv2d_4a_3x3", new ConvBnRelu(be, rng, 80, 192, 3, 3, 1, 0, 0));
        mixed = new Module[]{
                child("Mixed_5b", new BlockA(be, rng, 192, 32)),
                child("Mixed_5c", new BlockA(be, rng, 256, 64)),
                child("Mixed_5d", new BlockA(be, rng, 288, 64)),
                child("Mixed_6a", new BlockB(be, rng, 288)),
                child("Mixed_6b", new BlockC(be, rng, 768, 128)),
                child("Mixed_6c", new BlockC(be, rng, 768, 160)),
                child("Mixed_6d", new BlockC(be, rng, 768, 160)),
                child("Mixed_6e", new BlockC(be, rng, 768, 192)),
                child("Mixed_7a", new BlockD(be, rng, 768)),
                child("Mixed_7b", new BlockE(be, rng, 1280, false)),
                child("Mixed_7c", new BlockE(be, rng, 2048, true))};
        fc = child("fc", new Linear(be, rng, FEATURES, CLASSES));
    }

    public int inputSize() {
        return inputSize;
    }

    /** Images {@code [N, 1 or 3, H, W]} in [−1, 1] to pool3 features and logits. */
    public Output forward(Tensor images) {
        if (images.rank() != 4 || (images.dim(1) != 1 && images.dim(1) != 3)) {
            throw new IllegalArgumentException("Inception-v3: images must be [N, 1 or 3, H, W], got " + images.shapeString());
        }
        Tensor x = images;
        if (x.dim(1) == 1) {
            x = Tensor.concat(1, x, x, x);
        }
        // resizing is linear and keeps constants, so it commutes with the FID tool's [0, 1] → [−1, 1] map
        x = BilinearResize.resize(x, inputSize, inputSize);
        x = conv2b.forward(conv2a.forward(conv1a.forward(x)));
        x = Pooling.maxPool3x3(x, 2, 0);
        x = conv4a.forward(conv3b.forward(x));
        x = Pooling.maxPool3x3(x, 2, 0);
        for (Module m : mixed) {
            x = ((Block) m).forward(x);
        }
        Tensor pool3 = Pooling.globalAverage(x);
        return new Output(pool3, fc.forward(pool3));
    }

    private interface Block {
        Tensor forward(Tensor x);
    }

    /** torchvision's BasicConv2d: convolution without bias, batch norm (eps 1e-3), ReLU; children conv and bn. */
    static final class ConvBnRelu extends Module {
        private final Conv2d conv;
        private final FrozenBatchNorm bn;

        ConvBnRelu(Backend be, Rng rng, int in, int out, int kh, int kw, int stride, int padH, int padW) {
            conv = child("conv", new Conv2d(be, rng, in, out, kh, kw, stride, padH, padW, false));
            bn = child("bn", new FrozenBatchNorm(be, out, 1e-3f));
        }

        Tensor forward(Tensor x) {
            return bn.forward(conv.forward(x)).relu();
        }
    }

    private static ConvBnRelu square(Module owner, String name, Backend be, Rng rng, int in, int out, int k, int stride,
                                     int pad) {
        return owner.child(name, new ConvBnRelu(be, rng, in, out, k, k, stride, pad, pad));
    }

    /** 1×n then n×1 ({@code wide = true}: 1 row × n columns). */
    private static ConvBnRelu strip(Module owner, String name, Backend be, Rng rng, int in, int out, int n, boolean wide) {
        int half = n / 2;
        return owner.child(name, wide ? new ConvBnRelu(be, rng, in, out, 1, n, 1, 0, half)
                : new ConvBnRelu(be, rng, in, out, n, 1, 1, half, 0));
    }

    /** Mixed_5b..5d: 1×1, 5×5, double 3×3 and average-pool branches. */
    static final class BlockA extends Module implements Block {
        private final ConvBnRelu b1, b5a, b5b, d1, d2, d3, pool;

        BlockA(Backend be, Rng rng, int in, int poolFeatures) {
            b1 = square(this, "branch1x1", be, rng, in, 64, 1, 1, 0);
            b5a = square(this, "branch5x5_1", be, rng, in, 48, 1, 1, 0);
            b5b = square(this, "branch5x5_2", be, rng, 48, 64, 5, 1, 2);
            d1 = square(this, "branch3x3dbl_1", be, rng, in, 64, 1, 1, 0);
            d2 = square(this, "branch3x3dbl_2", be, rng, 64, 96, 3, 1, 1);
            d3 = square(this, "branch3x3dbl_3", be, rng, 96, 96, 3, 1, 1);
            pool = square(this, "branch_pool", be, rng, in, poolFeatures, 1, 1, 0);
        }

        @Override
        public Tensor forward(Tensor x) {
            return Tensor.concat(1, b1.forward(x), b5b.forward(b5a.forward(x)), d3.forward(d2.forward(d1.forward(x))),
                    pool.forward(Pooling.avgPool3x3ExcludingPadding(x)));
        }
    }

    /** Mixed_6a: stride-2 reduction (3×3, double 3×3, max pool). */
    static final class BlockB extends Module implements Block {
        private final ConvBnRelu b3, d1, d2, d3;

        BlockB(Backend be, Rng rng, int in) {
            b3 = square(this, "branch3x3", be, rng, in, 384, 3, 2, 0);
            d1 = square(this, "branch3x3dbl_1", be, rng, in, 64, 1, 1, 0);
            d2 = square(this, "branch3x3dbl_2", be, rng, 64, 96, 3, 1, 1);
            d3 = square(this, "branch3x3dbl_3", be, rng, 96, 96, 3, 2, 0);
        }

        @Override
        public Tensor forward(Tensor x) {
            return Tensor.concat(1, b3.forward(x), d3.forward(d2.forward(d1.forward(x))), Pooling.maxPool3x3(x, 2, 0));
        }
    }

    /** Mixed_6b..6e: factorised 7×7 branches and an average-pool branch. */
    static final class BlockC extends Module implements Block {
        private final ConvBnRelu b1, s1, s2, s3, d1, d2, d3, d4, d5, pool;

        BlockC(Backend be, Rng rng, int in, int c7) {
            b1 = square(this, "branch1x1", be, rng, in, 192, 1, 1, 0);
            s1 = square(this, "branch7x7_1", be, rng, in, c7, 1, 1, 0);
            s2 = strip(this, "branch7x7_2", be, rng, c7, c7, 7, true);
            s3 = strip(this, "branch7x7_3", be, rng, c7, 192, 7, false);
            d1 = square(this, "branch7x7dbl_1", be, rng, in, c7, 1, 1, 0);
            d2 = strip(this, "branch7x7dbl_2", be, rng, c7, c7, 7, false);
            d3 = strip(this, "branch7x7dbl_3", be, rng, c7, c7, 7, true);
            d4 = strip(this, "branch7x7dbl_4", be, rng, c7, c7, 7, false);
            d5 = strip(this, "branch7x7dbl_5", be, rng, c7, 192, 7, true);
            pool = square(this, "branch_pool", be, rng, in, 192, 1, 1, 0);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor s = s3.forward(s2.forward(s1.forward(x)));
            Tensor d = d5.forward(d4.forward(d3.forward(d2.forward(d1.forward(x)))));
            return Tensor.concat(1, b1.forward(x), s, d, pool.forward(Pooling.avgPool3x3ExcludingPadding(x)));
        }
    }

    /** Mixed_7a: stride-2 reduction (3×3, 7×7-then-3×3, max pool). */
    static final class BlockD extends Module implements Block {
        private final ConvBnRelu a1, a2, s1, s2, s3, s4;

        BlockD(Backend be, Rng rng, int in) {
            a1 = square(this, "branch3x3_1", be, rng, in, 192, 1, 1, 0);
            a2 = square(this, "branch3x3_2", be, rng, 192, 320, 3, 2, 0);
            s1 = square(this, "branch7x7x3_1", be, rng, in, 192, 1, 1, 0);
            s2 = strip(this, "branch7x7x3_2", be, rng, 192, 192, 7, true);
            s3 = strip(this, "branch7x7x3_3", be, rng, 192, 192, 7, false);
            s4 = square(this, "branch7x7x3_4", be, rng, 192, 192, 3, 2, 0);
        }

        @Override
        public Tensor forward(Tensor x) {
            return Tensor.concat(1, a2.forward(a1.forward(x)), s4.forward(s3.forward(s2.forward(s1.forward(x)))),
                    Pooling.maxPool3x3(x, 2, 0));
        }
    }

    /** Mixed_7b/7c: expanded 1×3 / 3×1 branches; the pool branch averages (7b) or, in the FID network, max-pools (7c). */
    static final class BlockE extends Module implements Block {
        private final ConvBnRelu b1, a1, a2a, a2b, d1, d2, d3a, d3b, pool;
        private final boolean maxPool;

        BlockE(Backend be, Rng rng, int in, boolean maxPool) {
            this.maxPool = maxPool;
            b1 = square(this, "branch1x1", be, rng, in, 320, 1, 1, 0);
            a1 = square(this, "branch3x3_1", be, rng, in, 384, 1, 1, 0);
            a2a = strip(this, "branch3x3_2a", be, rng, 384, 384, 3, true);
            a2b = strip(this, "branch3x3_2b", be, rng, 384, 384, 3, false);
            d1 = square(this, "branch3x3dbl_1", be, rng, in, 448, 1, 1, 0);
            d2 = square(this, "branch3x3dbl_2", be, rng, 448, 384, 3, 1, 1);
            d3a = strip(this, "branch3x3dbl_3a", be, rng, 384, 384, 3, true);
            d3b = strip(this, "branch3x3dbl_3b", be, rng, 384, 384, 3, false);
            pool = square(this, "branch_pool", be, rng, in, 192, 1, 1, 0);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor a = a1.forward(x);
            Tensor d = d2.forward(d1.forward(x));
            Tensor p = maxPool ? Pooling.maxPool3x3(x, 1, 1) : Pooling.avgPool3x3ExcludingPadding(x);
            return Tensor.concat(1, b1.forward(x), a2a.forward(a), a2b.forward(a), d3a.forward(d), d3b.forward(d),
                    pool.forward(p));
        }
    }
}
