package io.vrfm.cli.plot;

import io.vrfm.eval.AmbiguityMap;
import io.vrfm.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * PNG figures for the synthetic and image experiments. Charts with axes use XChart; heatmaps
 * ({@link HeatmapPlot}) and image grids ({@link ImageGrid}) are drawn with java.awt. Everything runs headless
 * ({@code java.awt.headless=true} is set unless the caller chose otherwise) and every file is written through
 * a temporary sibling and a rename ({@link AtomicFiles}). Series are drawn in map iteration order, so pass a
 * {@link java.util.LinkedHashMap} for a stable legend.
 */
public final class Plots {
    public static final int WIDTH = 800, HEIGHT = 600;
    /** Default size of the equal-axes plots (scatter2d, trajectories2d). */
    public static final int SQUARE = 720;

    /** tab10-like palette: blue, orange, green, red, purple, brown, pink, grey, olive, cyan. */
    private static final Color[] PALETTE = {
            new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
            new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
            new Color(188, 189, 34), new Color(23, 190, 207)};

    /** Stroke of trajectory lines. */
    private static final BasicStroke THIN = new BasicStroke(0.7f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER);

    static {
        ensureHeadless();
    }

    private Plots() {
    }

    static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Colour {@code i} of the palette with the given alpha (0–255). */
    public static Color color(int i, int alpha) {
        Color c = PALETTE[Math.floorMod(i, PALETTE.length)];
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    // ------------------------------------------------------------------ scatter

    /** 2-D point clouds, each {@code float[]} interleaved {@code x0, y0, x1, y1, …}; small translucent markers, equal axes. */
    public static void scatter2d(Path png, String title, Map<String, float[]> seriesXY) throws IOException {
        scatter2d(png, title, seriesXY, SQUARE, SQUARE);
    }

    public static void scatter2d(Path png, String title, Map<String, float[]> seriesXY, int width, int height) throws IOException {
        XYChart chart = base(title, "x", "y", width, height);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(3);
        Bounds b = new Bounds();
        int i = 0;
        for (Map.Entry<String, float[]> e : seriesXY.entrySet()) {
            float[] xy = e.getValue();
            if (xy.length % 2 != 0) {
                throw new IllegalArgumentException("series '" + e.getKey() + "' holds " + xy.length + " floats: not (x, y) pairs");
            }
            double[][] sep = split(xy);
            b.add(sep[0], sep[1]);
            XYSeries s = chart.addSeries(e.getKey(), nonEmpty(sep[0]), nonEmpty(sep[1]));
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(color(i++, 90));
        }
        b.applyEqual(chart);
        write(png, chart);
    }

    // ------------------------------------------------------------------ histograms

    /**
     * Overlaid density histograms (step outlines) of 1-D samples over {@code bins} equal bins of [lo, hi]:
     * height = count / (n · binWidth), n counting every sample, so mass outside [lo, hi] is simply not shown.
     */
    public static void histograms1d(Path png, String title, Map<String, float[]> series, int bins, double lo, double hi)
            throws IOException {
        histograms1d(png, title, "x", series, bins, lo, hi, WIDTH, HEIGHT);
    }

    /** As above with the horizontal axis named {@code xLabel} (e.g. "velocity"). */
    public static void histograms1d(Path png, String title, String xLabel, Map<String, float[]> series, int bins,
                                    double lo, double hi) throws IOException {
        histograms1d(png, title, xLabel, series, bins, lo, hi, WIDTH, HEIGHT);
    }

    public static void histograms1d(Path png, String title, Map<String, float[]> series, int bins, double lo, double hi,
                                    int width, int height) throws IOException {
        histograms1d(png, title, "x", series, bins, lo, hi, width, height);
    }

    public static void histograms1d(Path png, String title, String xLabel, Map<String, float[]> series, int bins,
                                    double lo, double hi, int width, int height) throws IOException {
        if (bins <= 0 || !(hi > lo)) {
            throw new IllegalArgumentException("need bins > 0 and lo < hi, got " + bins + ", [" + lo + ", " + hi + "]");
        }
        XYChart chart = base(title, xLabel, "density", width, height);
        legendBelow(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        int i = 0;
        for (Map.Entry<String, float[]> e : series.entrySet()) {
            double[] dens = density(e.getValue(), bins, lo, hi);
            double[] xs = new double[2 * bins + 2], ys = new double[2 * bins + 2];
            double bw = (hi - lo) / bins;
            xs[0] = lo;
            ys[0] = 0;
            for (int k = 0; k < bins; k++) {
                xs[1 + 2 * k] = lo + k * bw;
                ys[1 + 2 * k] = dens[k];
                xs[2 + 2 * k] = lo + (k + 1) * bw;
                ys[2 + 2 * k] = dens[k];
            }
            xs[2 * bins + 1] = hi;
            ys[2 * bins + 1] = 0;
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
            s.setLineColor(color(i++, 230));
        }
        chart.getStyler().setXAxisMin(lo);
        chart.getStyler().setXAxisMax(hi);
        chart.getStyler().setYAxisMin(0.0);
        write(png, chart);
    }

    /** Density histogram heights: count per bin / (n · binWidth); samples outside [lo, hi] fall in no bin. */
    public static double[] density(float[] samples, int bins, double lo, double hi) {
        double[] c = new double[bins];
        double bw = (hi - lo) / bins;
        for (float v : samples) {
            if (v >= lo && v <= hi) {
                c[Math.min(bins - 1, (int) ((v - lo) / bw))]++;
            }
        }
        if (samples.length > 0) {
            for (int k = 0; k < bins; k++) {
                c[k] /= samples.length * bw;
            }
        }
        return c;
    }

    // ------------------------------------------------------------------ trajectories

    /** 1-D trajectories: {@code paths[p][j]} is the state at {@code times[j]}; x over t, thin translucent lines. */
    public static void trajectories1d(Path png, String title, float[] times, float[][] paths) throws IOException {
        trajectories1d(png, title, times, paths, WIDTH, HEIGHT);
    }

    public static void trajectories1d(Path png, String title, float[] times, float[][] paths, int width, int height)
            throws IOException {
        XYChart chart = base(title, "t", "x", width, height);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0.0#");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        double[] t = new double[times.length];
        for (int j = 0; j < t.length; j++) {
            t[j] = Double.parseDouble(Float.toString(times[j])); // 0.22f → 0.22, so the axis ticks stay short
        }
        Color line = alphaFor(paths.length, color(0, 255));
        for (int p = 0; p < paths.length; p++) {
            if (paths[p].length != times.length) {
                throw new IllegalArgumentException("path " + p + " has " + paths[p].length + " states for " + times.length + " times");
            }
            XYSeries s = chart.addSeries("path " + p, t, toDouble(paths[p]));
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(THIN);
            s.setLineColor(line);
        }
        if (paths.length == 0) {
            chart.addSeries("none", new double[]{0}, new double[]{0}).setMarker(SeriesMarkers.NONE);
        }
        write(png, chart);
    }

    /**
     * 2-D trajectories ({@code pathsX[p][j], pathsY[p][j]}) as thin lines, with start and end points
     * ({@code startsXY}, {@code endsXY} interleaved x, y; either may be null) as markers; equal axes.
     */
    public static void trajectories2d(Path png, String title, float[][] pathsX, float[][] pathsY, float[] startsXY,
                                      float[] endsXY) throws IOException {
        trajectories2d(png, title, pathsX, pathsY, startsXY, endsXY, SQUARE, SQUARE);
    }

    public static void trajectories2d(Path png, String title, float[][] pathsX, float[][] pathsY, float[] startsXY,
                                      float[] endsXY, int width, int height) throws IOException {
        if (pathsX.length != pathsY.length) {
            throw new IllegalArgumentException("pathsX and pathsY differ in count: " + pathsX.length + " vs " + pathsY.length);
        }
        XYChart chart = base(title, "x", "y", width, height);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(4);
        Bounds b = new Bounds();
        Color line = alphaFor(pathsX.length, new Color(90, 90, 90));
        for (int p = 0; p < pathsX.length; p++) {
            if (pathsX[p].length != pathsY[p].length) {
                throw new IllegalArgumentException("path " + p + ": " + pathsX[p].length + " x values, " + pathsY[p].length + " y values");
            }
            double[] xs = toDouble(pathsX[p]), ys = toDouble(pathsY[p]);
            b.add(xs, ys);
            XYSeries s = chart.addSeries("path " + p, nonEmpty(xs), nonEmpty(ys));
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(THIN);
            s.setLineColor(line);
            s.setShowInLegend(false);
        }
        int i = 0;
        for (Object[] pts : new Object[][]{{"start", startsXY}, {"end", endsXY}}) {
            float[] xy = (float[]) pts[1];
            if (xy == null) {
                i++;
                continue;
            }
            double[][] sep = split(xy);
            b.add(sep[0], sep[1]);
            XYSeries s = chart.addSeries((String) pts[0], nonEmpty(sep[0]), nonEmpty(sep[1]));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(color(i++, 170));
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("none", new double[]{0}, new double[]{0}).setMarker(SeriesMarkers.NONE);
        }
        b.applyEqual(chart);
        write(png, chart);
    }

    // ------------------------------------------------------------------ heatmaps and images

    /**
     * Side-by-side heatmaps with one colour scale (min to max over all finite cells) and a colour bar; NaN grey.
     * Grids are {@code [ix][it]} as {@link io.vrfm.eval.AmbiguityMap} holds them: t across, x up.
     */
    public static void heatmaps(Path png, String title, List<String> panelTitles, List<double[][]> grids,
                                double xLo, double xHi, double tLo, double tHi) throws IOException {
        heatmaps(png, title, panelTitles, grids, xLo, xHi, tLo, tHi, Double.NaN, Double.NaN);
    }

    /** As above with the colour scale fixed to [vmin, vmax] (NaN for "from the data"). */
    public static void heatmaps(Path png, String title, List<String> panelTitles, List<double[][]> grids,
                                double xLo, double xHi, double tLo, double tHi, double vmin, double vmax) throws IOException {
        write(png, HeatmapPlot.render(title, panelTitles, grids, xLo, xHi, tLo, tHi, vmin, vmax).image());
    }

    /**
     * Velocity-ambiguity maps side by side (e.g. ground truth, RFM, V-RFM), colour = velocity std per bin on one
     * shared scale from 0; the maps must share their ranges.
     */
    public static void ambiguityMaps(Path png, String title, List<String> panelTitles, List<AmbiguityMap> maps)
            throws IOException {
        if (maps.isEmpty()) {
            throw new IllegalArgumentException("no maps given");
        }
        AmbiguityMap first = maps.get(0);
        List<double[][]> grids = new java.util.ArrayList<>();
        for (AmbiguityMap m : maps) {
            if (m.xLo() != first.xLo() || m.xHi() != first.xHi() || m.tLo() != first.tLo() || m.tHi() != first.tHi()) {
                throw new IllegalArgumentException("ambiguity maps cover different ranges");
            }
            grids.add(m.std());
        }
        heatmaps(png, title, panelTitles, grids, first.xLo(), first.xHi(), first.tLo(), first.tHi(), 0.0, Double.NaN);
    }

    /** Images in [−1, 1], NCHW, as a grid of {@code cols} columns, each pixel drawn {@code scale}×{@code scale}. */
    public static void imageGrid(Path png, float[] images, int count, int channels, int h, int w, int cols, int scale)
            throws IOException {
        write(png, ImageGrid.render(images, count, channels, h, w, cols, scale));
    }

    // ------------------------------------------------------------------ lines

    /**
     * Line charts with markers, e.g. log-likelihood against Euler steps per model. Each value is
     * {@code {xs, ys}} or {@code {xs, ys, yErrors}} (error bars, e.g. the std over seeds).
     */
    public static void lines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series)
            throws IOException {
        lines(png, title, xLabel, yLabel, series, false);
    }

    /** As above, with a logarithmic x axis when {@code logX}. */
    public static void lines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series,
                             boolean logX) throws IOException {
        lines(png, title, xLabel, yLabel, series, logX, WIDTH, HEIGHT);
    }

    public static void lines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series,
                             boolean logX, int width, int height) throws IOException {
        XYChart chart = base(title, xLabel, yLabel, width, height);
        legendBelow(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setXAxisLogarithmic(logX);
        if (logX) {
            chart.getStyler().setXAxisLogarithmicDecadeOnly(false);
        }
        int i = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[][] v = e.getValue();
            if (v.length < 2 || v[0].length != v[1].length || (v.length > 2 && v[2].length != v[0].length)) {
                throw new IllegalArgumentException("series '" + e.getKey() + "' must be {xs, ys} or {xs, ys, errors} of one length");
            }
            XYSeries s = v.length > 2
                    ? chart.addSeries(e.getKey(), nonEmpty(v[0]), nonEmpty(v[1]), nonEmpty(v[2]))
                    : chart.addSeries(e.getKey(), nonEmpty(v[0]), nonEmpty(v[1]));
            Color c = color(i++, 255);
            s.setLineStyle(new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            s.setLineColor(c);
            s.setMarkerColor(c);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        write(png, chart);
    }

    // ------------------------------------------------------------------ writing

    /** Writes an image as PNG, atomically. */
    public static void write(Path png, BufferedImage image) throws IOException {
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    /** Renders an XChart chart at its size and writes it as PNG, atomically. */
    public static void write(Path png, XYChart chart) throws IOException {
        write(png, BitmapEncoder.getBufferedImage(chart));
    }

    // ------------------------------------------------------------------ helpers

    private static XYChart base(String title, String xLabel, String yLabel, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("plot size must be positive, got " + width + "x" + height);
        }
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title == null ? "" : title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.DARK_GRAY);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBackgroundColor(new Color(255, 255, 255, 210));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAntiAlias(true);
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        return chart;
    }

    private static void legendBelow(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLegendBorderColor(Color.WHITE);
    }

    /** Lines get fainter the more there are, so dense bundles still show their density. */
    private static Color alphaFor(int count, Color c) {
        int alpha = count <= 20 ? 200 : count <= 200 ? 90 : 40;
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    private static double[][] split(float[] xy) {
        int n = xy.length / 2;
        double[] xs = new double[n], ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = xy[2 * i];
            ys[i] = xy[2 * i + 1];
        }
        return new double[][]{xs, ys};
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** XChart rejects empty series; an empty one becomes a single NaN point, which draws nothing. */
    private static double[] nonEmpty(double[] a) {
        return a.length == 0 ? new double[]{Double.NaN} : a;
    }

    /** Data bounds over finite points, applied as equal x and y ranges around the centre. */
    private static final class Bounds {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;

        void add(double[] xs, double[] ys) {
            for (int i = 0; i < xs.length; i++) {
                if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                    xMin = Math.min(xMin, xs[i]);
                    xMax = Math.max(xMax, xs[i]);
                    yMin = Math.min(yMin, ys[i]);
                    yMax = Math.max(yMax, ys[i]);
                }
            }
        }

        void applyEqual(XYChart chart) {
            if (!(xMax >= xMin)) {
                return;
            }
            double span = Math.max(xMax - xMin, yMax - yMin);
            span = span > 0 ? span * 1.06 : 1.0;
            double cx = 0.5 * (xMin + xMax), cy = 0.5 * (yMin + yMax);
            chart.getStyler().setXAxisMin(cx - span / 2);
            chart.getStyler().setXAxisMax(cx + span / 2);
            chart.getStyler().setYAxisMin(cy - span / 2);
            chart.getStyler().setYAxisMax(cy + span / 2);
        }
    }
}
