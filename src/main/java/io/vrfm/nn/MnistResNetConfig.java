package io.vrfm.nn;

/**
 * The MNIST velocity network of paper App. D.2, with its sizes.
 *
 * @param channels      image channels (1)
 * @param width         hidden width (paper: 64)
 * @param blocks        ResNet blocks in the data encoder and again in the decoder (paper: 5 each)
 * @param embDim        width of the time (and latent) embedding
 * @param latentDim     V-RFM latent size (paper: 2), 0 for the RFM baseline
 * @param timeScale     factor on {@code t ∈ [0, 1]} before the sinusoidal encoding
 */
public record MnistResNetConfig(int channels, int width, int blocks, int embDim, int latentDim, float timeScale) {
    /** The paper's network: width 64, 5 + 5 blocks, 2-D latent. */
    public static MnistResNetConfig paper(int latentDim) {
        return new MnistResNetConfig(1, 64, 5, 64, latentDim, 1000f);
    }

    /** This configuration with another latent size. */
    public MnistResNetConfig withLatent(int dim) {
        return toBuilder().latentDim(dim).build();
    }

    /** A builder starting from {@link #paper(int) paper(0)}: set only what differs, by name. */
    public static Builder builder() {
        return paper(0).toBuilder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.channels = channels;
        b.width = width;
        b.blocks = blocks;
        b.embDim = embDim;
        b.latentDim = latentDim;
        b.timeScale = timeScale;
        return b;
    }

    /** Named setters for a {@link MnistResNetConfig} (see the record's parameters for their meaning). */
    public static final class Builder {
        private int channels, width, blocks, embDim, latentDim;
        private float timeScale;

        private Builder() {
        }

        public Builder channels(int c) {
            this.channels = c;
            return this;
        }

        public Builder width(int w) {
            this.width = w;
            return this;
        }

        public Builder blocks(int n) {
            this.blocks = n;
            return this;
        }

        public Builder embDim(int d) {
            this.embDim = d;
            return this;
        }

        public Builder latentDim(int d) {
            this.latentDim = d;
            return this;
        }

        public Builder timeScale(float s) {
            this.timeScale = s;
            return this;
        }

        /** The configuration. */
        public MnistResNetConfig build() {
            return new MnistResNetConfig(channels, width, blocks, embDim, latentDim, timeScale);
        }
    }
}
