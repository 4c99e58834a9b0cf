package io.vrfm.nn;

import java.util.Locale;

/**
 * Shape of a {@link SiT} (and of a V-SiT when {@code latentDim > 0}). Named factories give SiT's model zoo
 * ({@link #s}, {@link #b}, {@link #l}, {@link #xl}: depth/width/heads 12/384/6, 12/768/12, 24/1024/16, 28/1152/16,
 * MLP ratio 4); {@code with…} methods change one field.
 *
 * @param inputSize   image (or latent) side, divisible by {@code patch}
 * @param inChannels  input channels ({@code C}); the output has {@code 2C} when {@code learnSigma}, first C used
 * @param patch       patch size (2, 4 or 8 in SiT)
 * @param width       hidden size
 * @param depth       number of blocks
 * @param heads       attention heads
 * @param mlpRatio    MLP hidden width / width
 * @param numClasses  classes of the label embedder; 0 = unconditional (no {@code y_embedder})
 * @param classDropout label-dropout probability in training (0.1 in SiT); above 0 adds the null class
 * @param learnSigma  SiT's output layout with {@code 2C} channels (released checkpoints have it)
 * @param latentDim   V-SiT latent size; 0 = plain SiT
 */
public record SiTConfig(int inputSize, int inChannels, int patch, int width, int depth, int heads, float mlpRatio,
                        int numClasses, float classDropout, boolean learnSigma, int latentDim) {

    /**
     * Default V-SiT latent size. The paper leaves it unspecified for ImageNet; 64 keeps the summed KL of the latent
     * in proportion to the reconstruction at λ = 2e-3 while leaving room for several velocity modes per
     * {@code (x_t, t)}. Configurable with {@link #withLatentDim}.
     */
    public static final int DEFAULT_LATENT = 64;

    public SiTConfig {
        if (patch <= 0 || inputSize % patch != 0) {
            throw new IllegalArgumentException("SiT: input size " + inputSize + " is not divisible by patch " + patch);
        }
        if (heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("SiT: width " + width + " is not divisible into " + heads + " heads");
        }
        if (width % 4 != 0) {
            throw new IllegalArgumentException("SiT: width " + width + " must be divisible by 4 (sin-cos positions)");
        }
        if (depth < 1 || inChannels < 1 || numClasses < 0 || latentDim < 0) {
            throw new IllegalArgumentException("SiT: invalid config " + depth + " blocks, " + inChannels
                    + " channels, " + numClasses + " classes, latent " + latentDim);
        }
    }

    private static SiTConfig zoo(int depth, int width, int heads, int patch, int inputSize, int inChannels,
                                 int numClasses) {
        return new SiTConfig(inputSize, inChannels, patch, width, depth, heads, 4f, numClasses,
                numClasses > 0 ? 0.1f : 0f, true, 0);
    }

    /** SiT-S/p: 12 blocks, width 384, 6 heads. */
    public static SiTConfig s(int patch, int inputSize, int inChannels, int numClasses) {
        return zoo(12, 384, 6, patch, inputSize, inChannels, numClasses);
    }

    /** SiT-B/p: 12 blocks, width 768, 12 heads. */
    public static SiTConfig b(int patch, int inputSize, int inChannels, int numClasses) {
        return zoo(12, 768, 12, patch, inputSize, inChannels, numClasses);
    }

    /** SiT-L/p: 24 blocks, width 1024, 16 heads. */
    public static SiTConfig l(int patch, int inputSize, int inChannels, int numClasses) {
        return zoo(24, 1024, 16, patch, inputSize, inChannels, numClasses);
    }

    /** SiT-XL/p: 28 blocks, width 1152, 16 heads (the paper's ImageNet model: XL/2, 32×32×4 latents, 1000 classes). */
    public static SiTConfig xl(int patch, int inputSize, int inChannels, int numClasses) {
        return zoo(28, 1152, 16, patch, inputSize, inChannels, numClasses);
    }

    /** By SiT's name: {@code S/2}, {@code B/4}, {@code XL/2}, … (also with a {@code SiT-} prefix). */
    public static SiTConfig named(String name, int inputSize, int inChannels, int numClasses) {
        String n = name.toUpperCase(Locale.ROOT).replace("SIT-", "");
        String[] parts = n.split("/");
        if (parts.length != 2 || !parts[1].matches("[248]")) {
            throw new IllegalArgumentException("SiT config '" + name + "' is not one of S|B|L|XL followed by /2, /4 or /8");
        }
        int p = Integer.parseInt(parts[1]);
        return switch (parts[0]) {
            case "S" -> s(p, inputSize, inChannels, numClasses);
            case "B" -> b(p, inputSize, inChannels, numClasses);
            case "L" -> l(p, inputSize, inChannels, numClasses);
            case "XL" -> xl(p, inputSize, inChannels, numClasses);
            default -> throw new IllegalArgumentException("SiT config '" + name
                    + "' is not one of S|B|L|XL followed by /2, /4 or /8");
        };
    }

    public SiTConfig withShape(int depth, int width, int heads) {
        return new SiTConfig(inputSize, inChannels, patch, width, depth, heads, mlpRatio, numClasses, classDropout,
                learnSigma, latentDim);
    }

    public SiTConfig withLatentDim(int latent) {
        return new SiTConfig(inputSize, inChannels, patch, width, depth, heads, mlpRatio, numClasses, classDropout,
                learnSigma, latent);
    }

    public SiTConfig withClassDropout(float p) {
        return new SiTConfig(inputSize, inChannels, patch, width, depth, heads, mlpRatio, numClasses, p,
                learnSigma, latentDim);
    }

    public SiTConfig withLearnSigma(boolean on) {
        return new SiTConfig(inputSize, inChannels, patch, width, depth, heads, mlpRatio, numClasses, classDropout,
                on, latentDim);
    }

    public SiTConfig withMlpRatio(float ratio) {
        return new SiTConfig(inputSize, inChannels, patch, width, depth, heads, ratio, numClasses, classDropout,
                learnSigma, latentDim);
    }

    /** Tokens per image: {@code (inputSize / patch)²}. */
    public int tokens() {
        int g = inputSize / patch;
        return g * g;
    }

    public int outChannels() {
        return learnSigma ? 2 * inChannels : inChannels;
    }
}
