package io.vrfm.cli.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotsTest {
    @TempDir
    Path dir;

    private static BufferedImage readBack(Path png, int width, int height) throws IOException {
        assertTrue(Files.size(png) > 0, "empty PNG: " + png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO could not read " + png);
        assertEquals(width, img.getWidth());
        assertEquals(height, img.getHeight());
        return img;
    }

    /** True when the image is not one flat colour (something was drawn). */
    private static boolean hasContent(BufferedImage img) {
        int first = img.getRGB(0, 0);
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                if (img.getRGB(x, y) != first) {
                    return true;
                }
            }
        }
        return false;
    }

    private static float[] gaussian(int n, double mean, double sd, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (mean + sd * r.nextGaussian());
        }
        return a;
    }

    private void noTempFilesLeft() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files left behind");
        }
    }

    @Test
    void scatter2dWritesRequestedSize() throws IOException {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("target", gaussian(2000, 0, 1, 1));
        m.put("V-RFM", gaussian(2000, 3, 0.5, 2));
        m.put("empty", new float[0]);
        Path p = dir.resolve("scatter.png");
        Plots.scatter2d(p, "points", m);
        assertTrue(hasContent(readBack(p, Plots.SQUARE, Plots.SQUARE)));
        Path q = dir.resolve("sub/scatter-small.png");
        Plots.scatter2d(q, "points", m, 400, 300);
        readBack(q, 400, 300);
        noTempFilesLeft();
        assertThrows(IllegalArgumentException.class, () -> Plots.scatter2d(p, "odd", Map.of("a", new float[3])));
    }

    @Test
    void histogramsWriteAndDensityIntegratesToOne() throws IOException {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("target", gaussian(5000, 0, 1, 3));
        m.put("RFM", gaussian(5000, 0.5, 0.8, 4));
        Path p = dir.resolve("hist.png");
        Plots.histograms1d(p, "1-D samples", m, 60, -4, 4);
        assertTrue(hasContent(readBack(p, Plots.WIDTH, Plots.HEIGHT)));
        Plots.histograms1d(p, "again, replaced", m, 30, -4, 4, 500, 400);
        readBack(p, 500, 400);

        float[] inside = {0.1f, 0.2f, 0.3f, 0.9f, 1.0f, 0.0f};
        double[] d = Plots.density(inside, 4, 0, 1);
        double integral = 0;
        for (double v : d) {
            integral += v * 0.25;
        }
        assertEquals(1.0, integral, 1e-12);
        assertArrayEquals(new double[]{3 / 1.5, 1 / 1.5, 0, 2 / 1.5}, d, 1e-12);
        noTempFilesLeft();
    }

    @Test
    void trajectoriesWrite() throws IOException {
        int steps = 21, paths = 300;
        float[] t = new float[steps];
        float[][] xs = new float[paths][steps], ys = new float[paths][steps];
        float[] starts = new float[2 * paths], ends = new float[2 * paths];
        SplittableRandom r = new SplittableRandom(5);
        for (int p = 0; p < paths; p++) {
            double x0 = r.nextGaussian(), y0 = r.nextGaussian(), x1 = r.nextBoolean() ? 2 : -2, y1 = r.nextGaussian() * 0.2;
            for (int j = 0; j < steps; j++) {
                t[j] = j / (float) (steps - 1);
                xs[p][j] = (float) ((1 - t[j]) * x0 + t[j] * x1);
                ys[p][j] = (float) ((1 - t[j]) * y0 + t[j] * y1);
            }
            starts[2 * p] = xs[p][0];
            starts[2 * p + 1] = ys[p][0];
            ends[2 * p] = xs[p][steps - 1];
            ends[2 * p + 1] = ys[p][steps - 1];
        }
        Path p1 = dir.resolve("traj1d.png");
        Plots.trajectories1d(p1, "trajectories", t, xs);
        assertTrue(hasContent(readBack(p1, Plots.WIDTH, Plots.HEIGHT)));
        Path p2 = dir.resolve("traj2d.png");
        Plots.trajectories2d(p2, "2-D trajectories", xs, ys, starts, ends);
        assertTrue(hasContent(readBack(p2, Plots.SQUARE, Plots.SQUARE)));
        Plots.trajectories2d(p2, "no markers", xs, ys, null, null, 300, 300);
        readBack(p2, 300, 300);
        assertThrows(IllegalArgumentException.class,
                () -> Plots.trajectories1d(p1, "bad", new float[]{0, 1}, new float[][]{{1, 2, 3}}));
        noTempFilesLeft();
    }

    @Test
    void linesWithLogAxisAndErrorBars() throws IOException {
        Map<String, double[][]> m = new LinkedHashMap<>();
        double[] steps = {2, 5, 8, 10, 16, 20};
        m.put("RFM", new double[][]{steps, {-2.9, -2.5, -2.3, -2.2, -2.1, -2.05}, {0.1, 0.05, 0.04, 0.03, 0.03, 0.02}});
        m.put("V-RFM", new double[][]{steps, {-2.6, -2.2, -2.0, -1.95, -1.9, -1.88}});
        Path p = dir.resolve("lines.png");
        Plots.lines(p, "log-likelihood vs steps", "Euler steps", "log-likelihood", m, true);
        assertTrue(hasContent(readBack(p, Plots.WIDTH, Plots.HEIGHT)));
        Plots.lines(p, "linear", "steps", "ll", m);
        readBack(p, Plots.WIDTH, Plots.HEIGHT);
        assertThrows(IllegalArgumentException.class,
                () -> Plots.lines(p, "bad", "x", "y", Map.of("a", new double[][]{{1, 2}, {1}})));
    }

    @Test
    void heatmapHotCellIsHottestColourAtItsPixel() throws IOException {
        int nx = 5, nt = 7;
        double[][] cold = new double[nx][nt];
        double[][] hot = new double[nx][nt];
        double[][] holes = new double[nx][nt];
        hot[3][5] = 1.0;
        for (double[] row : holes) {
            java.util.Arrays.fill(row, 0.5);
        }
        holes[0][0] = Double.NaN;
        Path p = dir.resolve("heat.png");
        List<double[][]> grids = List.of(cold, hot, holes);
        List<String> titles = List.of("ground truth", "RFM", "V-RFM");
        Plots.heatmaps(p, "velocity std", titles, grids, -2, 2, 0, 1);
        HeatmapPlot.Rendered r = HeatmapPlot.render("velocity std", titles, grids, -2, 2, 0, 1, Double.NaN, Double.NaN);
        HeatmapPlot.Layout l = r.layout();
        BufferedImage img = readBack(p, l.width(), l.height());
        assertEquals(0.0, r.vmin());
        assertEquals(1.0, r.vmax());

        int hottest = Colormap.viridis(1.0).getRGB() & 0xFFFFFF;
        int coldest = Colormap.viridis(0.0).getRGB() & 0xFFFFFF;
        int[] c = l.cellCenter(1, 3, 5, nx, nt);
        assertEquals(hottest, img.getRGB(c[0], c[1]) & 0xFFFFFF, "hot cell colour");
        // the hot colour appears nowhere else inside the panels
        for (int panel = 0; panel < 3; panel++) {
            for (int ix = 0; ix < nx; ix++) {
                for (int it = 0; it < nt; it++) {
                    int[] q = l.cellCenter(panel, ix, it, nx, nt);
                    int rgb = img.getRGB(q[0], q[1]) & 0xFFFFFF;
                    if (panel == 1 && ix == 3 && it == 5) {
                        continue;
                    }
                    if (panel == 2) {
                        int expect = (ix == 0 && it == 0 ? Colormap.MISSING : Colormap.viridis(0.5)).getRGB() & 0xFFFFFF;
                        assertEquals(expect, rgb, "panel 2 cell " + ix + "," + it);
                    } else {
                        assertEquals(coldest, rgb, "panel " + panel + " cell " + ix + "," + it);
                    }
                }
            }
        }
        // x runs up: cell ix = 3 of 5 sits in the upper half of the panel, it = 5 of 7 in the right half
        assertTrue(c[1] < l.top() + l.panelH() / 2);
        assertTrue(c[0] > l.left()[1] + l.panelW() / 2);
        // the colour bar's top row is the hottest colour
        assertEquals(hottest, img.getRGB(l.barLeft() + l.barW() / 2, l.top()) & 0xFFFFFF);
        assertEquals(coldest, img.getRGB(l.barLeft() + l.barW() / 2, l.top() + l.panelH() - 1) & 0xFFFFFF);

        // a fixed scale
        HeatmapPlot.Rendered fixed = HeatmapPlot.render("t", titles, grids, -2, 2, 0, 1, 0.0, 2.0);
        int[] c2 = fixed.layout().cellCenter(1, 3, 5, nx, nt);
        assertEquals(Colormap.viridis(0.5).getRGB() & 0xFFFFFF, fixed.image().getRGB(c2[0], c2[1]) & 0xFFFFFF);
        assertThrows(IllegalArgumentException.class, () -> Plots.heatmaps(p, "t", List.of("a"), grids, 0, 1, 0, 1));
        noTempFilesLeft();
    }

    @Test
    void ambiguityMapsShareAScaleFromZero() throws IOException {
        float[] x = {0.1f, 0.2f, 0.6f, 0.7f}, t = {0.1f, 0.2f, 0.6f, 0.7f}, v = {0f, 2f, 1f, 1f};
        io.vrfm.eval.AmbiguityMap a = io.vrfm.eval.AmbiguityMap.compute(x, t, v, 2, 2, 0, 1, 0, 1, 2);
        Path p = dir.resolve("amb.png");
        Plots.ambiguityMaps(p, "ambiguity", List.of("a", "b"), List.of(a, a));
        HeatmapPlot.Rendered r = HeatmapPlot.render("ambiguity", List.of("a", "b"), List.of(a.std(), a.std()),
                0, 1, 0, 1, 0.0, Double.NaN);
        BufferedImage img = readBack(p, r.layout().width(), r.layout().height());
        int[] hot = r.layout().cellCenter(0, 0, 0, 2, 2);
        int[] zero = r.layout().cellCenter(1, 1, 1, 2, 2);
        int[] none = r.layout().cellCenter(1, 0, 1, 2, 2);
        assertEquals(Colormap.viridis(1.0).getRGB() & 0xFFFFFF, img.getRGB(hot[0], hot[1]) & 0xFFFFFF);
        assertEquals(Colormap.viridis(0.0).getRGB() & 0xFFFFFF, img.getRGB(zero[0], zero[1]) & 0xFFFFFF);
        assertEquals(Colormap.MISSING.getRGB() & 0xFFFFFF, img.getRGB(none[0], none[1]) & 0xFFFFFF);
        io.vrfm.eval.AmbiguityMap other = io.vrfm.eval.AmbiguityMap.compute(x, t, v, 2, 2, -1, 1, 0, 1, 2);
        assertThrows(IllegalArgumentException.class, () -> Plots.ambiguityMaps(p, "x", List.of("a", "b"), List.of(a, other)));
    }

    @Test
    void colormapEnds() {
        assertEquals(new Color(68, 1, 84), Colormap.viridis(0));
        assertEquals(new Color(253, 231, 37), Colormap.viridis(1));
        assertEquals(new Color(253, 231, 37), Colormap.viridis(7));
        assertEquals(Colormap.MISSING, Colormap.viridis(Double.NaN));
    }

    @Test
    void imageGridMapsPixelValues() throws IOException {
        int count = 3, h = 3, w = 4, cols = 2, scale = 2;
        float[] imgs = new float[count * h * w];
        // image 0: all −1 (black) but pixel (1, 2) = 1 (white); image 1: all 1; image 2: all 0 (mid grey)
        java.util.Arrays.fill(imgs, 0, h * w, -1f);
        imgs[1 * w + 2] = 1f;
        java.util.Arrays.fill(imgs, h * w, 2 * h * w, 1f);
        Path p = dir.resolve("grid.png");
        Plots.imageGrid(p, imgs, count, 1, h, w, cols, scale);
        int width = 2 * w * scale + 3 * ImageGrid.PAD, height = 2 * h * scale + 3 * ImageGrid.PAD;
        assertEquals(width, ImageGrid.width(count, w, cols, scale));
        assertEquals(height, ImageGrid.height(count, h, cols, scale));
        BufferedImage img = readBack(p, width, height);

        int[] o0 = ImageGrid.origin(0, h, w, cols, scale);
        assertEquals(0x000000, img.getRGB(o0[0], o0[1]) & 0xFFFFFF, "−1 is black");
        assertEquals(0x000000, img.getRGB(o0[0] + w * scale - 1, o0[1] + h * scale - 1) & 0xFFFFFF);
        for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
                assertEquals(0xFFFFFF, img.getRGB(o0[0] + 2 * scale + dx, o0[1] + 1 * scale + dy) & 0xFFFFFF, "1 is white");
            }
        }
        int[] o1 = ImageGrid.origin(1, h, w, cols, scale);
        assertEquals(o0[0] + w * scale + ImageGrid.PAD, o1[0]);
        assertEquals(0xFFFFFF, img.getRGB(o1[0] + 3, o1[1] + 2) & 0xFFFFFF);
        int[] o2 = ImageGrid.origin(2, h, w, cols, scale);
        assertEquals(o0[1] + h * scale + ImageGrid.PAD, o2[1]);
        assertEquals(0x808080, img.getRGB(o2[0] + 1, o2[1] + 1) & 0xFFFFFF, "0 is mid grey");
        assertEquals(ImageGrid.PAD_RGB, img.getRGB(0, 0) & 0xFFFFFF, "padding");
        assertEquals(ImageGrid.PAD_RGB, img.getRGB(width - 1, height - 1) & 0xFFFFFF, "empty slot is padding");
        noTempFilesLeft();
    }

    @Test
    void imageGridRgbChannels() throws IOException {
        int h = 2, w = 2;
        float[] img = new float[3 * h * w];
        java.util.Arrays.fill(img, 0, 4, 1f);     // R = 1
        java.util.Arrays.fill(img, 4, 8, -1f);    // G = −1
        java.util.Arrays.fill(img, 8, 12, 0.5f);  // B = 0.5 → round(191.25) = 191
        Path p = dir.resolve("rgb.png");
        Plots.imageGrid(p, img, 1, 3, h, w, 8, 3);
        BufferedImage b = readBack(p, 2 * 3 + 2 * ImageGrid.PAD, 2 * 3 + 2 * ImageGrid.PAD);
        assertEquals((255 << 16) | (0 << 8) | 191, b.getRGB(ImageGrid.PAD + 1, ImageGrid.PAD + 1) & 0xFFFFFF);
        assertEquals(0, ImageGrid.toByte(-3f));
        assertEquals(255, ImageGrid.toByte(2f));
        assertEquals(0, ImageGrid.toByte(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> Plots.imageGrid(p, img, 1, 2, h, w, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Plots.imageGrid(p, img, 2, 3, h, w, 1, 1));
    }

    @Test
    void niceTicks() {
        assertArrayEquals(new double[]{0, 0.2, 0.4, 0.6, 0.8, 1.0}, HeatmapPlot.Ticks.nice(0, 1, 6), 1e-12);
        assertArrayEquals(new double[]{-2, -1, 0, 1, 2}, HeatmapPlot.Ticks.nice(-2, 2, 6), 1e-12);
        assertEquals("0.25", HeatmapPlot.Ticks.format(0.25));
        assertEquals("-1", HeatmapPlot.Ticks.format(-1.0));
        assertEquals("1.0e-04", HeatmapPlot.Ticks.format(1e-4));
    }
}
