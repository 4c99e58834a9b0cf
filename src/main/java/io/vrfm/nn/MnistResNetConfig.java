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

    public MnistResNetConfig withLatent(int dim) {
        return new MnistResNetConfig(channels, width, blocks, embDim, dim, timeScale);
    }
}
