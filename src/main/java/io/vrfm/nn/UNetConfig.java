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

    /**
     * A builder starting from {@link #cifar10()} (torchcfm's CIFAR-10 network): set only what differs, by name.
     *
     * <pre>{@code
     * UNetConfig cfg = UNetConfig.builder().image(1, 28).modelChannels(32).channelMult(1, 2, 2)
     *         .attentionResolutions(14).numHeadChannels(-1).latent(2, LatentFusion.ADAPTIVE_NORM).build();
     * }</pre>
     */
    public static Builder builder() {
        return cifar10().toBuilder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.inChannels = inChannels;
        b.imageSize = imageSize;
        b.modelChannels = modelChannels;
        b.numResBlocks = numResBlocks;
        b.channelMult = channelMult.clone();
        b.attentionResolutions = attentionResolutions.clone();
        b.dropout = dropout;
        b.numHeads = numHeads;
        b.numHeadChannels = numHeadChannels;
        b.useScaleShiftNorm = useScaleShiftNorm;
        b.groups = groups;
        b.latentDim = latentDim;
        b.fusion = fusion;
        b.latentHidden = latentHidden;
        return b;
    }

    /** Named setters for a {@link UNetConfig} (see the record's parameters for their meaning). */
    public static final class Builder {
        private int inChannels, imageSize, modelChannels, numResBlocks, numHeads, numHeadChannels, groups, latentDim,
                latentHidden;
        private int[] channelMult, attentionResolutions;
        private float dropout;
        private boolean useScaleShiftNorm;
        private LatentFusion fusion;

        private Builder() {
        }

        /** Image channels and H = W. */
        public Builder image(int channels, int size) {
            this.inChannels = channels;
            this.imageSize = size;
            return this;
        }

        public Builder modelChannels(int c) {
            this.modelChannels = c;
            return this;
        }

        public Builder numResBlocks(int n) {
            this.numResBlocks = n;
            return this;
        }

        public Builder channelMult(int... mult) {
            this.channelMult = mult.clone();
            return this;
        }

        public Builder attentionResolutions(int... sizes) {
            this.attentionResolutions = sizes.clone();
            return this;
        }

        public Builder dropout(float p) {
            this.dropout = p;
            return this;
        }

        public Builder numHeads(int n) {
            this.numHeads = n;
            return this;
        }

        /** Channels per attention head, or -1 to use {@link #numHeads}. */
        public Builder numHeadChannels(int c) {
            this.numHeadChannels = c;
            return this;
        }

        public Builder useScaleShiftNorm(boolean on) {
            this.useScaleShiftNorm = on;
            return this;
        }

        public Builder groups(int g) {
            this.groups = g;
            return this;
        }

        /** The V-RFM latent and how it enters; {@code (0, NONE)} for a plain RFM network. */
        public Builder latent(int dim, LatentFusion how) {
            this.latentDim = dim;
            this.fusion = how;
            return this;
        }

        public Builder latentHidden(int width) {
            this.latentHidden = width;
            return this;
        }

        /** The configuration; checks latent and fusion agree. */
        public UNetConfig build() {
            return new UNetConfig(inChannels, imageSize, modelChannels, numResBlocks, channelMult, attentionResolutions,
                    dropout, numHeads, numHeadChannels, useScaleShiftNorm, groups, latentDim, fusion, latentHidden);
        }
    }

    /** torchcfm's CIFAR-10 network: 128 channels, 2 res blocks, mult [1,2,2,2], attention at 16, 4 heads × 64, dropout 0.1. */
    public static UNetConfig cifar10() {
        return new UNetConfig(3, 32, 128, 2, new int[]{1, 2, 2, 2}, new int[]{16}, 0.1f, 4, 64, false, 32,
                0, LatentFusion.NONE, 512);
    }

    /** torchcfm's default multipliers for 28×28 ({@code (1, 2, 2)}), for MNIST-sized images. */
    public static UNetConfig mnist(int modelChannels) {
        return builder().image(1, 28).modelChannels(modelChannels).channelMult(1, 2, 2).attentionResolutions(14)
                .numHeadChannels(-1).build();
    }

    /** This configuration with a V-RFM latent ({@code dim = 0}: none). */
    public UNetConfig withLatent(int dim, LatentFusion how) {
        return toBuilder().latent(dim, dim == 0 ? LatentFusion.NONE : how).build();
    }

    /** This configuration for other images. */
    public UNetConfig withImage(int channels, int size) {
        return toBuilder().image(channels, size).build();
    }

    /** This configuration with another dropout. */
    public UNetConfig withDropout(float p) {
        return toBuilder().dropout(p).build();
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
