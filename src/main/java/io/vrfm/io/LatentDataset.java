package io.vrfm.io;

import io.vrfm.data.DatasetException;
import io.vrfm.data.ImageSet;
import io.vrfm.data.NpyFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A data set of precomputed latents with class labels — e.g. ImageNet-256 encoded by the SD-VAE into
 * {@code N × 4 × 32 × 32} latents already multiplied by {@link #SD_VAE_SCALE} — as an {@link ImageSet} that
 * {@code train-image} trains on like images. The VAE is not part of the engine: latents are made elsewhere, and
 * samples are latents to decode elsewhere.
 *
 * <p>Named {@code latents:PATH} on the launcher ({@code --dataset latents:PATH}); {@code PATH} is
 * <ul>
 *   <li>a {@code .npy} file of latents ({@code float32} or {@code float16}, C order, shape {@code N×C×H×W}, square),
 *       with the labels ({@code int64} or {@code int32}, shape {@code N}) in {@code labels.npy} beside it, or named
 *       explicitly as {@code latents:LATENTS.npy,LABELS.npy};</li>
 *   <li>a {@code .safetensors} file holding {@code latents} ({@code F32}/{@code F16}/{@code BF16}, {@code N×C×H×W})
 *       and {@code labels} ({@code I64}, {@code I32} or integral {@code F32}, shape {@code N}).</li>
 * </ul>
 * The class count is the largest label + 1. Everything is held in memory as float32: at most 2^31 − 1 values, i.e.
 * about 524,000 latents of 4×32×32 per file (8 GiB of heap); larger sets must be split.
 */
public final class LatentDataset {
    /** The launcher's prefix: {@code --dataset latents:PATH}. */
    public static final String PREFIX = "latents:";

    /** The SD-VAE latent scale factor SiT and DiT multiply encoder samples by (latents are expected already scaled). */
    public static final float SD_VAE_SCALE = 0.18215f;

    private LatentDataset() {
    }

    /** Whether a data set name is a latent spec ({@code latents:…}). */
    public static boolean isSpec(String name) {
        return name != null && name.trim().toLowerCase(Locale.ROOT).startsWith(PREFIX);
    }

    /** Loads {@code latents:PATH} (see the class comment); one-line {@link DatasetException}s. */
    public static ImageSet load(String spec) {
        if (!isSpec(spec)) {
            throw new DatasetException("not a latent data set: '" + spec + "' (use latents:FILE.npy or latents:FILE.safetensors)");
        }
        String rest = spec.trim().substring(PREFIX.length()).trim();
        if (rest.isEmpty()) {
            throw new DatasetException("--dataset latents: needs a file: latents:LATENTS.npy[,LABELS.npy] or latents:FILE.safetensors");
        }
        String[] parts = rest.split(",", -1);
        if (parts.length > 2) {
            throw new DatasetException("--dataset " + spec + ": give latents:LATENTS.npy[,LABELS.npy] (at most one comma)");
        }
        Path first = Path.of(parts[0].trim());
        if (first.getFileName() != null && first.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            if (parts.length == 2) {
                throw new DatasetException("--dataset " + spec + ": a .safetensors file holds its own labels; drop ','"
                        + parts[1]);
            }
            return readSafeTensors(first);
        }
        Path labels = parts.length == 2 ? Path.of(parts[1].trim()) : first.resolveSibling("labels.npy");
        if (parts.length == 1 && !Files.isRegularFile(labels)) {
            throw new DatasetException("no labels for " + first + ": expected " + labels + " beside it, or name them:"
                    + " --dataset latents:" + first + ",LABELS.npy");
        }
        return readNpy(first, labels);
    }

    /** Latents and labels from two {@code .npy} files. */
    public static ImageSet readNpy(Path latents, Path labels) {
        NpyFile.Floats x = NpyFile.readFloats(latents);
        NpyFile.Integers y = NpyFile.readIntegers(labels);
        if (y.shape().length != 1) {
            throw new DatasetException(labels + " has shape " + Arrays.toString(y.shape()) + "; labels must be 1-d, one per latent");
        }
        return of(latents.toString(), x.shape(), x.data(), y.data(), latents.getFileName() + ", " + labels.getFileName());
    }

    /** Latents and labels from one safetensors file with tensors {@code latents} and {@code labels}. */
    public static ImageSet readSafeTensors(Path file) {
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(file);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
        SafeTensors.Entry x = c.tensors().get("latents"), y = c.tensors().get("labels");
        if (x == null || y == null) {
            throw new DatasetException(file + " needs tensors 'latents' (N×C×H×W) and 'labels' (N); it has "
                    + c.tensors().keySet());
        }
        if (y.shape().length != 1) {
            throw new DatasetException(file + ": 'labels' has shape " + Arrays.toString(y.shape())
                    + "; labels must be 1-d, one per latent");
        }
        long[] labels = new long[y.data().length];
        for (int i = 0; i < labels.length; i++) {
            float v = y.data()[i];
            if (v != Math.rint(v)) {
                throw new DatasetException(file + ": label " + v + " at " + i + " is not an integer");
            }
            labels[i] = (long) v;
        }
        return of(file.toString(), x.shape(), x.data(), labels, file.getFileName().toString());
    }

    /**
     * Checks and wraps arrays: {@code latents} of {@code shape = [N, C, H, W]} ({@code H = W}), {@code N} labels in
     * {@code [0, 2^31)}; {@code name} names the set in messages and run records.
     */
    public static ImageSet of(String name, int[] shape, float[] latents, long[] labels, String what) {
        if (shape.length != 4) {
            throw new DatasetException(what + ": latents have shape " + Arrays.toString(shape) + "; expected 4-d N×C×H×W"
                    + " (e.g. N×4×32×32 SD-VAE latents of 256×256 images)");
        }
        if (shape[2] != shape[3]) {
            throw new DatasetException(what + ": latents are " + shape[2] + "×" + shape[3] + "; training needs square latents");
        }
        if (labels.length != shape[0]) {
            throw new DatasetException(what + ": " + shape[0] + " latents but " + labels.length + " labels; give one"
                    + " label per latent");
        }
        if (shape[0] == 0) {
            throw new DatasetException(what + ": no latents (N = 0)");
        }
        int[] y = new int[labels.length];
        for (int i = 0; i < y.length; i++) {
            if (labels[i] < 0 || labels[i] > Integer.MAX_VALUE - 1) {
                throw new DatasetException(what + ": label " + labels[i] + " of latent " + i + " is negative or too large");
            }
            y[i] = (int) labels[i];
        }
        for (int i = 0; i < latents.length; i++) {
            if (!Float.isFinite(latents[i])) {
                throw new DatasetException(what + ": latent value " + latents[i] + " at index " + i + " is not finite");
            }
        }
        return new ImageSet(PREFIX + name, shape[0], shape[1], shape[2], shape[3], latents, y);
    }
}
