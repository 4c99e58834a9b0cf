package io.vrfm.nn;

import java.util.Arrays;

/**
 * The settings of torchcfm's {@code UNetModelWrapper} (guided-diffusion UNet) plus the V-RFM latent.
 *
 * @param inChannels            image channels (also the output channels)
 * @param imageSize             H = W of the input
 * @param modelChannels         base width ({@code num_channels})
 * @param numResBlocks          residual blocks per level
 * @param channelMult           width multiplier per level
 * @param attentionResolutions  spatial sizes with attention (e.g. {16} for CIFAR-10 at 32×32)
 * @param dropout               dropout inside residual blocks
 * @param numHeads              heads when {@code numHeadChannels == -1}
 * @param numHeadChannels       channels per head, or -1
 * @param useScaleShiftNorm     FiLM-style scale/shift GroupNorm in residual blocks (torchcfm's CIFAR recipe: false)
 * @param groups                GroupNorm groups (torchcfm: 32)
 * @param latentDim             V-RFM latent size, 0 for a plain RFM UNet
 * @param fusion                how {@code z} enters ({@link LatentFusion})
 * @param latentHidden          hidden width of the latent MLP (paper: 512)
 */
public record UNetConfig(int inChannels, int imageSize, int modelChannels, int numResBlocks, int[] channelMult,
                         int[] attentionResolutions, float dropout, int numHeads, int numHeadChannels,
                         boolean useScaleShiftNorm, int groups, int latentDim, LatentFusion fusion, int latentHidden) {

    public UNetConfig {
        if ((latentDim > 0) != (fusion != LatentFusion.NONE)) {
            throw new IllegalArgumentException("UNetConfig: latentDim " + latentDim + " with fusion " + fusion
                    + " (a latent needs a fusion, and a fusion needs a latent)");
        }
    }

    /** torchcfm's CIFAR-10 network: 128 channels, 2 res blocks, mult [1,2,2,2], attention at 16, 4 heads × 64, dropout 0.1. */
    public static UNetConfig cifar10() {
        return new UNetConfig(3, 32, 128, 2, new int[]{1, 2, 2, 2}, new int[]{16}, 0.1f, 4, 64, false, 32,
                0, LatentFusion.NONE, 512);
    }

    /** torchcfm's default multipliers for 28×28 ({@code (1, 2, 2)}), for MNIST-sized images. */
    public static UNetConfig mnist(int modelChannels) {
        return new UNetConfig(1, 28, modelChannels, 2, new int[]{1, 2, 2}, new int[]{14}, 0.1f, 4, -1, false, 32,
                0, LatentFusion.NONE, 512);
    }

    public UNetConfig withLatent(int dim, LatentFusion how) {
        return new UNetConfig(inChannels, imageSize, modelChannels, numResBlocks, channelMult, attentionResolutions,
                dropout, numHeads, numHeadChannels, useScaleShiftNorm, groups, dim, dim == 0 ? LatentFusion.NONE : how,
                latentHidden);
    }

    public UNetConfig withImage(int channels, int size) {
        return new UNetConfig(channels, size, modelChannels, numResBlocks, channelMult, attentionResolutions, dropout,
                numHeads, numHeadChannels, useScaleShiftNorm, groups, latentDim, fusion, latentHidden);
    }

    public UNetConfig withDropout(float p) {
        return new UNetConfig(inChannels, imageSize, modelChannels, numResBlocks, channelMult, attentionResolutions, p,
                numHeads, numHeadChannels, useScaleShiftNorm, groups, latentDim, fusion, latentHidden);
    }

    /** The downsampling factors with attention ({@code image_size // res}, as UNetModelWrapper computes them). */
    int[] attentionDs() {
        int[] ds = new int[attentionResolutions.length];
        for (int i = 0; i < ds.length; i++) {
            ds[i] = imageSize / attentionResolutions[i];
        }
        return ds;
    }

    @Override
    public String toString() {
        return "UNet(in=" + inChannels + ", size=" + imageSize + ", ch=" + modelChannels + ", res=" + numResBlocks
                + ", mult=" + Arrays.toString(channelMult) + ", attn=" + Arrays.toString(attentionResolutions)
                + ", dropout=" + dropout + ", heads=" + numHeads + "/" + numHeadChannels + ", latent=" + latentDim
                + " " + fusion + ")";
    }
}
