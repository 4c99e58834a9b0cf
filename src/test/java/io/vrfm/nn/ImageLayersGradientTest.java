package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.tensor.GradCheck;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference gradient checks of the image layers and models on small shapes (inputs and some weights). */
class ImageLayersGradientTest {
    private final Backend be = new CpuBackend(2);
    private final Rng rng = new Rng(11);

    private Tensor randn(int... shape) {
        return Tensor.randn(be, rng, shape);
    }

    /** Replaces every parameter by small random values (zero-initialised layers would hide paths). */
    private <M extends Module> M randomize(M m, float scale) {
        Rng r = new Rng(5);
        for (Tensor p : m.parameters()) {
            float[] v = Tensor.randn(be, r, p.shape()).mul(scale).toArray();
            be.upload(v, 0, p.buffer(), 0, v.length);
        }
        return m;
    }

    @Test
    void adaptiveGroupNorm() {
        AdaptiveGroupNorm norm = randomize(new AdaptiveGroupNorm(be, rng, 2, 4, 3), 0.5f);
        Map<String, Tensor> p = norm.namedParameters();
        assertArrayEquals(new int[]{8, 3}, p.get("proj.weight").shape());
        GradCheck.check("adaGN", be, x -> norm.forward(x[0], x[1]), randn(2, 4, 3, 3), randn(2, 3), p.get("proj.weight"));
    }

    @Test
    void attentionBlockLegacyHeads() {
        AttentionBlock attn = randomize(new AttentionBlock(be, rng, 8, 2, -1, 4), 0.4f);
        assertArrayEquals(new int[]{24, 8, 1}, attn.namedParameters().get("qkv.weight").shape());
        GradCheck.check("attention", be, x -> attn.forward(x[0]), randn(2, 8, 3, 3),
                attn.namedParameters().get("qkv.weight"));
    }

    @Test
    void resBlockAddAndScaleShift() {
        ResBlock add = randomize(new ResBlock(be, rng, 4, 6, 0f, 8, false, 2), 0.3f);
        assertNotNull(add.namedParameters().get("skip_connection.weight"));
        GradCheck.check("resblock-add", be, x -> add.forward(x[0], x[1]), randn(2, 4, 4, 4), randn(2, 6));
        ResBlock ss = randomize(new ResBlock(be, rng, 4, 6, 0f, 4, true, 2), 0.3f);
        assertArrayEquals(new int[]{8, 6}, ss.namedParameters().get("emb_layers.1.weight").shape());
        GradCheck.check("resblock-scaleshift", be, x -> ss.forward(x[0], x[1]), randn(2, 4, 4, 4), randn(2, 6),
                ss.namedParameters().get("out_layers.3.weight"));
    }

    @Test
    void downAndUpsample() {
        Downsample down = randomize(new Downsample(be, rng, 3, 3), 0.3f);
        assertArrayEquals(new int[]{1, 3, 3, 3}, down.forward(randn(1, 3, 6, 6)).shape());
        GradCheck.check("downsample", be, x -> down.forward(x[0]), randn(2, 3, 4, 4));
        Upsample up = randomize(new Upsample(be, rng, 3, 2), 0.3f);
        assertArrayEquals(new int[]{1, 2, 6, 6}, up.forward(randn(1, 3, 3, 3)).shape());
        GradCheck.check("upsample", be, x -> up.forward(x[0]), randn(2, 3, 2, 2));
    }

    private UNetConfig tiny(int latent, LatentFusion fusion) {
        return UNetConfig.builder().image(1, 4).modelChannels(8).numResBlocks(1).channelMult(1, 2).attentionResolutions(2)
                .dropout(0f).numHeads(2).numHeadChannels(-1).groups(4).latent(latent, fusion).latentHidden(6).build();
    }

    @Test
    void unetWithAdaptiveNormLatent() {
        UNet net = randomize(new UNet(be, rng, tiny(3, LatentFusion.ADAPTIVE_NORM)), 0.3f);
        Tensor t = Tensor.of(be, new float[]{0.2f, 0.7f}, 2);
        GradCheck.check("unet-adanorm", be, x -> net.velocity(x[0], t, x[1]), randn(2, 1, 4, 4), randn(2, 3));
    }

    @Test
    void unetWithBottleneckSumLatent() {
        UNet net = randomize(new UNet(be, rng, tiny(3, LatentFusion.BOTTLENECK_SUM)), 0.3f);
        // bottleneck width is 16 (8·2): the latent MLP maps 3 → 6 → 16
        assertArrayEquals(new int[]{16, 6}, net.namedParameters().get("latent_embed.2.weight").shape());
        Tensor t = Tensor.of(be, new float[]{0.4f, 0.9f}, 2);
        GradCheck.check("unet-bottleneck", be, x -> net.velocity(x[0], t, x[1]), randn(2, 1, 4, 4), randn(2, 3));
    }

    @Test
    void plainUnetGivesEveryParameterAGradient() {
        UNet net = new UNet(be, rng, tiny(0, LatentFusion.NONE));
        assertEquals(0, net.latentDim());
        randomize(net, 0.3f);
        net.velocity(randn(2, 1, 4, 4), Tensor.of(be, new float[]{0.1f, 0.5f}, 2), null).square().sum().backward();
        net.namedParameters().forEach((k, v) -> assertNotNull(v.grad(), k));
    }

    @Test
    void mnistResNetVelocity() {
        MnistResNetConfig cfg = MnistResNetConfig.builder().width(4).blocks(1).embDim(4).latentDim(2).build();
        MnistResNet net = randomize(new MnistResNet(be, rng, cfg), 0.3f);
        Tensor t = Tensor.of(be, new float[]{0.3f, 0.8f}, 2);
        GradCheck.check("mnist-resnet", be, x -> net.velocity(x[0], t, x[1]), randn(2, 1, 5, 5), randn(2, 2));
        MnistResNet plain = new MnistResNet(be, rng, cfg.withLatent(0));
        assertArrayEquals(new int[]{2, 1, 6, 6}, plain.velocity(randn(2, 1, 6, 6), t, null).shape());
    }

    @Test
    void mnistResNetEncoder() {
        MnistResNetEncoder enc = randomize(new MnistResNetEncoder(be, rng, 1, 9, 4, 2,
                EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT, PosteriorInput.T)), 0.3f);
        Tensor t = Tensor.of(be, new float[]{0.3f, 0.8f}, 2);
        Tensor[] out = enc.encode(randn(2, 1, 9, 9), randn(2, 1, 9, 9), randn(2, 1, 9, 9), t);
        assertArrayEquals(new int[]{2, 2}, out[0].shape());
        assertArrayEquals(new int[]{2, 2}, out[1].shape());
        GradCheck.check("mnist-encoder", be, x -> {
            Tensor[] o = enc.encode(x[0], x[1], x[2], t);
            return Tensor.concat(1, o[0], o[1]);
        }, randn(2, 1, 9, 9), randn(2, 1, 9, 9), randn(2, 1, 9, 9));
        // 28×28 pools to 3×3 (floor), as PyTorch's AvgPool2d
        MnistResNetEncoder full = new MnistResNetEncoder(be, rng, 1, 28, 8, 2, EnumSet.of(PosteriorInput.X1));
        assertArrayEquals(new int[]{16, 72}, full.namedParameters().get("head.0.weight").shape());
    }

    @Test
    void unetEncoderDownToOneByOne() {
        UNetEncoder enc = randomize(new UNetEncoder(be, rng, 1, 4, 4, 1, 3,
                EnumSet.of(PosteriorInput.X1, PosteriorInput.T)), 0.3f);
        Tensor t = Tensor.of(be, new float[]{0.3f, 0.8f}, 2);
        GradCheck.check("unet-encoder", be, x -> {
            Tensor[] o = enc.encode(null, x[0], null, t);
            return Tensor.concat(1, o[0], o[1]);
        }, randn(2, 1, 4, 4));
        // two ResBlocks per level with attention at 2×2 (the paper's CIFAR posterior layout, shrunk)
        UNetEncoder attn = randomize(new UNetEncoder(be, rng, 1, 4, 4, 2, new int[]{2}, 3,
                EnumSet.of(PosteriorInput.X1, PosteriorInput.T)), 0.3f);
        assertTrue(attn.namedParameters().containsKey("input_blocks.5.1.qkv.weight"));
        GradCheck.check("unet-encoder-attention", be, x -> {
            Tensor[] o = attn.encode(null, x[0], null, t);
            return Tensor.concat(1, o[0], o[1]);
        }, randn(2, 1, 4, 4));
        UNetEncoder cifar = new UNetEncoder(be, rng, 3, 32, 16, 1, 768, EnumSet.of(PosteriorInput.X1));
        Tensor[] out = cifar.encode(null, randn(1, 3, 32, 32), null, null);
        assertArrayEquals(new int[]{1, 768}, out[0].shape());
        assertTrue(cifar.parameterCount() > 0);
    }
}
