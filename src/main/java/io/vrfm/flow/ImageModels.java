package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.nn.LatentFusion;
import io.vrfm.nn.MnistResNet;
import io.vrfm.nn.MnistResNetConfig;
import io.vrfm.nn.MnistResNetEncoder;
import io.vrfm.nn.UNet;
import io.vrfm.nn.UNetConfig;
import io.vrfm.nn.UNetEncoder;
import io.vrfm.tensor.Rng;

/** Builds the image {@link FlowModel} a recipe names, for images of {@code channels × size × size}. */
public final class ImageModels {
    private ImageModels() {
    }

    public static FlowModel build(Backend be, Rng rng, ImageRecipe r, int channels, int size) {
        boolean vrfm = r.method() == Method.VRFM;
        int latent = vrfm ? r.latentDim() : 0;
        if (r.model().equals("mnist-resnet")) {
            MnistResNet v = new MnistResNet(be, rng, MnistResNetConfig.builder().channels(channels).width(r.width())
                    .blocks(r.blocks()).embDim(r.width()).latentDim(latent).timeScale(1000f).build());
            MnistResNetEncoder q = vrfm ? new MnistResNetEncoder(be, rng, channels, size, r.posteriorWidth(), latent,
                    r.posteriorInputs()) : null;
            return new FlowModel(r.method(), v, q);
        }
        UNetConfig cfg = unetConfig(r, channels, size);
        UNet v = new UNet(be, rng, cfg);
        UNetEncoder q = vrfm ? new UNetEncoder(be, rng, channels, size, r.posteriorWidth(), 1, latent,
                r.posteriorInputs()) : null;
        return new FlowModel(r.method(), v, q);
    }

    /**
     * torchcfm's UNet for the image size: CIFAR's {@code [1, 2, 2, 2]} with attention at 16 for 32×32,
     * {@code [1, 2, 2]} with attention at 14 for 28×28; {@code width} channels, {@code blocks} res blocks,
     * 4 heads of 64 channels when the width allows (else 4 heads).
     */
    public static UNetConfig unetConfig(ImageRecipe r, int channels, int size) {
        int[] mult;
        int[] attn;
        if (size == 32) {
            mult = new int[]{1, 2, 2, 2};
            attn = new int[]{16};
        } else if (size == 28) {
            mult = new int[]{1, 2, 2};
            attn = new int[]{14};
        } else {
            mult = new int[]{1, 2};
            attn = new int[]{size / 2};
        }
        int headCh = r.width() % 64 == 0 ? 64 : -1;
        LatentFusion fusion = r.method() == Method.VRFM ? r.fusion() : LatentFusion.NONE;
        if (r.method() == Method.VRFM && fusion == LatentFusion.NONE) {
            fusion = LatentFusion.ADAPTIVE_NORM;
        }
        int latent = r.method() == Method.VRFM ? r.latentDim() : 0;
        return UNetConfig.builder().image(channels, size).modelChannels(r.width()).numResBlocks(r.blocks())
                .channelMult(mult).attentionResolutions(attn).dropout(r.dropout()).numHeads(4).numHeadChannels(headCh)
                .useScaleShiftNorm(false).groups(Math.min(32, r.width())).latent(latent, fusion).latentHidden(512)
                .build();
    }
}
