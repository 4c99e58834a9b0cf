package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.nn.LatentFusion;
import io.vrfm.nn.MnistResNet;
import io.vrfm.nn.MnistResNetConfig;
import io.vrfm.nn.MnistResNetEncoder;
import io.vrfm.nn.SiT;
import io.vrfm.nn.SiTConfig;
import io.vrfm.nn.SiTPosterior;
import io.vrfm.nn.UNet;
import io.vrfm.nn.UNetConfig;
import io.vrfm.nn.UNetEncoder;
import io.vrfm.tensor.Rng;

/** Builds the image {@link FlowModel} a recipe names, for images of {@code channels × size × size}. */
public final class ImageModels {
    private ImageModels() {
    }

    /** As {@link #build(Backend, Rng, ImageRecipe, int, int, int)} for an unconditional recipe. */
    public static FlowModel build(Backend be, Rng rng, ImageRecipe r, int channels, int size) {
        return build(be, rng, r, channels, size, 0);
    }

    /**
     * The recipe's model for {@code channels × size × size} images; {@code numClasses} is the data set's class
     * count, used by a class-conditional ({@link ImageRecipe#classCond()}) SiT.
     */
    public static FlowModel build(Backend be, Rng rng, ImageRecipe r, int channels, int size, int numClasses) {
        boolean vrfm = r.method() == Method.VRFM;
        int latent = vrfm ? r.latentDim() : 0;
        if (r.model().equals("sit")) {
            SiTConfig cfg = sitConfig(r, channels, size, numClasses);
            SiT v = new SiT(be, rng, cfg);
            return new FlowModel(r.method(), v, vrfm ? new SiTPosterior(be, rng, cfg) : null);
        }
        if (r.model().equals("mnist-resnet")) {
            MnistResNet v = new MnistResNet(be, rng, MnistResNetConfig.builder().channels(channels).width(r.width())
                    .blocks(r.blocks()).embDim(r.width()).latentDim(latent).timeScale(1000f).build());
            MnistResNetEncoder q = vrfm ? new MnistResNetEncoder(be, rng, channels, size, r.posteriorWidth(), latent,
                    r.posteriorInputs()) : null;
            return new FlowModel(r.method(), v, q);
        }
        UNetConfig cfg = unetConfig(r, channels, size);
        UNet v = new UNet(be, rng, cfg);
        UNetEncoder q = vrfm ? new UNetEncoder(be, rng, channels, size, r.posteriorWidth(), r.posteriorBlocks(),
                r.posteriorAttentionSizes(), latent, r.posteriorInputs()) : null;
        return new FlowModel(r.method(), v, q);
    }

    /**
     * The SiT shape a recipe names: SiT's zoo ({@code S/2}, {@code B/4}, {@code XL/2}, …) or a custom
     * {@code DEPTHxWIDTHxHEADS/PATCH} such as {@code 4x64x4/4}; learn-sigma output layout as SiT's, label dropout
     * {@link ImageRecipe#cfgDropout()} when class-conditional, latent {@link ImageRecipe#latentDim()} for V-SiT.
     */
    public static SiTConfig sitConfig(ImageRecipe r, int channels, int size, int numClasses) {
        if (r.classCond() && numClasses < 1) {
            throw new IllegalArgumentException("--class-cond: the data set has no classes");
        }
        int classes = r.classCond() ? numClasses : 0;
        int[] custom = sitShape(r.sitConfig());
        if (size % custom[3] != 0) {
            throw new IllegalArgumentException("--config " + r.sitConfig() + ": the patch " + custom[3]
                    + " does not divide the image side " + size + "; pick a patch that divides it");
        }
        SiTConfig cfg = custom[0] > 0
                ? SiTConfig.s(custom[3], size, channels, classes).withShape(custom[0], custom[1], custom[2])
                : SiTConfig.named(r.sitConfig(), size, channels, classes);
        cfg = cfg.withClassDropout(r.classCond() ? r.cfgDropout() : 0f);
        return r.method() == Method.VRFM ? cfg.withLatentDim(r.latentDim()) : cfg;
    }

    /**
     * Checks a SiT config spelling; returns {@code {depth, width, heads, patch}} for a custom
     * {@code DxWxH/P}, or {@code {0, 0, 0, patch}} for a zoo name.
     */
    public static int[] sitShape(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)x(\\d+)x(\\d+)/(\\d+)").matcher(name);
        if (m.matches()) {
            int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4))};
            if (v[0] < 1 || v[1] < 4 || v[2] < 1 || v[3] < 1 || v[1] % v[2] != 0 || v[1] % 4 != 0) {
                throw new IllegalArgumentException("--config " + name + ": depth, heads and patch must be >= 1 and the"
                        + " width a multiple of 4 and of the heads");
            }
            return v;
        }
        java.util.regex.Matcher z = java.util.regex.Pattern.compile("(?i)(SiT-)?(S|B|L|XL)/([248])").matcher(name);
        if (!z.matches()) {
            throw new IllegalArgumentException("--config '" + name + "' is not S|B|L|XL/2|4|8 (SiT's zoo) or"
                    + " DEPTHxWIDTHxHEADS/PATCH such as 4x64x4/4");
        }
        return new int[]{0, 0, 0, Integer.parseInt(z.group(3))};
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
