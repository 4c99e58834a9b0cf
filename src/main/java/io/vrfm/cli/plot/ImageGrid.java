package io.vrfm.cli.plot;

import java.awt.image.BufferedImage;

/**
 * A grid of images stored as floats in [−1, 1], NCHW ({@code [count, channels, h, w]}), drawn with
 * nearest-neighbour upscaling: −1 is black, 1 white; 1 channel is grayscale, 3 are RGB. Images sit
 * {@link #PAD} pixels apart on a light grey background.
 */
public final class ImageGrid {
    static {
        Plots.ensureHeadless();
    }

    public static final int PAD = 2;
    public static final int PAD_RGB = 0xC8C8C8;

    private ImageGrid() {
    }

    /** Width in pixels of a grid with {@code cols} columns of images {@code w} wide at {@code scale}. */
    public static int width(int count, int w, int cols, int scale) {
        int c = Math.min(cols, count);
        return c * w * scale + (c + 1) * PAD;
    }

    /** Height in pixels. */
    public static int height(int count, int h, int cols, int scale) {
        int rows = (count + cols - 1) / cols;
        return rows * h * scale + (rows + 1) * PAD;
    }

    /** Top-left pixel {@code {px, py}} of image {@code i}. */
    public static int[] origin(int i, int h, int w, int cols, int scale) {
        int r = i / cols, c = i % cols;
        return new int[]{PAD + c * (w * scale + PAD), PAD + r * (h * scale + PAD)};
    }

    /** Byte value of a float in [−1, 1]: round((v + 1) / 2 · 255), clamped; NaN → 0. */
    public static int toByte(float v) {
        if (Float.isNaN(v)) {
            return 0;
        }
        long b = Math.round((v + 1.0) * 127.5);
        return (int) Math.max(0, Math.min(255, b));
    }

    public static BufferedImage render(float[] images, int count, int channels, int h, int w, int cols, int scale) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("imageGrid draws 1 (grayscale) or 3 (RGB) channels, got " + channels);
        }
        if (count <= 0 || h <= 0 || w <= 0 || cols <= 0 || scale <= 0) {
            throw new IllegalArgumentException("count, h, w, cols and scale must be positive");
        }
        long need = (long) count * channels * h * w;
        if (images.length < need) {
            throw new IllegalArgumentException("images hold " + images.length + " floats, need [" + count + ", "
                    + channels + ", " + h + ", " + w + "]");
        }
        int cols1 = Math.min(cols, count);
        BufferedImage img = new BufferedImage(width(count, w, cols1, scale), height(count, h, cols1, scale),
                BufferedImage.TYPE_INT_RGB);
        int[] fill = new int[img.getWidth()];
        java.util.Arrays.fill(fill, PAD_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            img.setRGB(0, y, img.getWidth(), 1, fill, 0, img.getWidth());
        }
        int plane = h * w;
        int[] row = new int[w * scale];
        for (int i = 0; i < count; i++) {
            int[] o = origin(i, h, w, cols1, scale);
            int base = i * channels * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb;
                    if (channels == 1) {
                        int b = toByte(images[base + y * w + x]);
                        rgb = (b << 16) | (b << 8) | b;
                    } else {
                        int r = toByte(images[base + y * w + x]);
                        int gr = toByte(images[base + plane + y * w + x]);
                        int b = toByte(images[base + 2 * plane + y * w + x]);
                        rgb = (r << 16) | (gr << 8) | b;
                    }
                    for (int s = 0; s < scale; s++) {
                        row[x * scale + s] = rgb;
                    }
                }
                for (int s = 0; s < scale; s++) {
                    img.setRGB(o[0], o[1] + y * scale + s, w * scale, 1, row, 0, w * scale);
                }
            }
        }
        return img;
    }
}
