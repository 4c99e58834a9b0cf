package io.vrfm.cli;

import io.vrfm.data.DatasetException;
import io.vrfm.data.Datasets;
import io.vrfm.data.ImageSet;
import io.vrfm.io.LatentDataset;

import java.nio.file.Path;

/**
 * The image data sets the launcher names: {@link Datasets} by name ({@code mnist}, {@code fashion-mnist},
 * {@code cifar10}) under the data folder, or precomputed latents {@code latents:PATH} ({@link LatentDataset}; a
 * training set only).
 */
final class ImageData {
    private ImageData() {
    }

    /** The canonical name: a latent spec as given (trimmed), else {@link Datasets#canonicalName}. */
    static String canonicalName(String name) {
        return LatentDataset.isSpec(name) ? name.trim() : Datasets.canonicalName(name);
    }

    /** Loads a split; latent sets have only the training split (a one-line error says what to do instead). */
    static ImageSet load(String name, Path dataDir, boolean train) {
        if (LatentDataset.isSpec(name)) {
            if (!train) {
                throw new DatasetException(name + " is a latent training set with no test split: the engine has no VAE"
                        + " decoder and no FID on latents; write samples with sample-image --out FILE.npy and decode and"
                        + " score them elsewhere (docs/IMAGENET.md)");
            }
            return LatentDataset.load(name);
        }
        return Datasets.load(name, dataDir, train);
    }
}
