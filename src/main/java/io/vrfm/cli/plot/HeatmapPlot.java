package io.vrfm.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * Side-by-side heatmaps with one shared colour scale and a colour bar (java.awt). Each grid is indexed
 * {@code [ix][it]} (as {@link io.vrfm.eval.AmbiguityMap} holds them): t runs across from {@code tLo} (left)
 * to {@code tHi}, x runs up from {@code xLo} (bottom) to {@code xHi}. NaN cells are drawn grey.
 */
public final class HeatmapPlot {
    static {
        Plots.ensureHeadless();
    }

    /** Pixel geometry of a rendered figure: panel {@code p} spans {@code [left[p], left[p]+panelW) × [top, top+panelH)}. */
    public record Layout(int width, int height, int[] left, int top, int panelW, int panelH,
                         int barLeft, int barW) {
        /** Pixel {@code {px, py}} at the centre of cell {@code (ix, it)} of a grid with nx × nt cells in panel p. */
        public int[] cellCenter(int panel, int ix, int it, int nx, int nt) {
            double cw = (double) panelW / nt, ch = (double) panelH / nx;
            int px = left[panel] + (int) Math.floor((it + 0.5) * cw);
            int py = top + (int) Math.floor((nx - 1 - ix + 0.5) * ch);
            return new int[]{px, py};
        }
    }

    /** A rendered figure and its geometry. */
    public record Rendered(BufferedImage image, Layout layout, double vmin, double vmax) {
    }

    private static final int PANEL_W = 320, PANEL_H = 260, GAP = 70, MARGIN_LEFT = 70, MARGIN_RIGHT = 20;
    private static final int TITLE_H = 40, PANEL_TITLE_H = 26, AXIS_H = 50, BAR_W = 18, BAR_GAP = 24, BAR_LABELS = 60;

    private HeatmapPlot() {
    }

    /**
     * Renders the grids; the colour scale spans {@code [vmin, vmax]}, each NaN meaning "the minimum (maximum)
     * over every finite cell of every grid".
     */
    public static Rendered render(String title, List<String> panelTitles, List<double[][]> grids,
                                  double xLo, double xHi, double tLo, double tHi, double vmin, double vmax) {
        int k = grids.size();
        if (k == 0 || panelTitles.size() != k) {
            throw new IllegalArgumentException("need one title per grid and at least one grid, got "
                    + panelTitles.size() + " titles and " + k + " grids");
        }
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[][] g : grids) {
            if (g.length == 0 || g[0].length == 0) {
                throw new IllegalArgumentException("empty grid");
            }
            for (double[] row : g) {
                if (row.length != g[0].length) {
                    throw new IllegalArgumentException("ragged grid: rows of " + g[0].length + " and " + row.length);
                }
                for (double v : row) {
                    if (Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
        }
        if (!Double.isNaN(vmin)) {
            lo = vmin;
        }
        if (!Double.isNaN(vmax)) {
            hi = vmax;
        }
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            lo = 0;
            hi = 1;
        }
        if (hi <= lo) {
            hi = lo + (lo == 0 ? 1 : Math.abs(lo) * 1e-3);
        }

        int[] left = new int[k];
        for (int p = 0; p < k; p++) {
            left[p] = MARGIN_LEFT + p * (PANEL_W + GAP);
        }
        int top = TITLE_H + PANEL_TITLE_H;
        int barLeft = left[k - 1] + PANEL_W + BAR_GAP;
        int width = barLeft + BAR_W + BAR_LABELS + MARGIN_RIGHT;
        int height = top + PANEL_H + AXIS_H;
        Layout layout = new Layout(width, height, left, top, PANEL_W, PANEL_H, barLeft, BAR_W);

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);
            Font panelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
            Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            centered(g, title == null ? "" : title, width / 2, TITLE_H - 14);

            for (int p = 0; p < k; p++) {
                double[][] grid = grids.get(p);
                int nx = grid.length, nt = grid[0].length;
                for (int ix = 0; ix < nx; ix++) {
                    int y0 = top + (int) Math.round((nx - 1 - ix) * (double) PANEL_H / nx);
                    int y1 = top + (int) Math.round((nx - ix) * (double) PANEL_H / nx);
                    for (int it = 0; it < nt; it++) {
                        int x0 = left[p] + (int) Math.round(it * (double) PANEL_W / nt);
                        int x1 = left[p] + (int) Math.round((it + 1) * (double) PANEL_W / nt);
                        double v = grid[ix][it];
                        g.setColor(Double.isFinite(v) ? Colormap.viridis(v, lo, hi) : Colormap.MISSING);
                        g.fillRect(x0, y0, x1 - x0, y1 - y0);
                    }
                }
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(1f));
                g.drawRect(left[p] - 1, top - 1, PANEL_W + 1, PANEL_H + 1);
                g.setFont(panelFont);
                centered(g, panelTitles.get(p), left[p] + PANEL_W / 2, top - 8);
                g.setFont(tickFont);
                for (double tv : Ticks.nice(tLo, tHi, 6)) {
                    int px = left[p] + (int) Math.round((tv - tLo) / (tHi - tLo) * PANEL_W);
                    g.drawLine(px, top + PANEL_H, px, top + PANEL_H + 4);
                    centered(g, Ticks.format(tv), px, top + PANEL_H + 17);
                }
                for (double xv : Ticks.nice(xLo, xHi, 6)) {
                    int py = top + PANEL_H - (int) Math.round((xv - xLo) / (xHi - xLo) * PANEL_H);
                    g.drawLine(left[p] - 5, py, left[p] - 1, py);
                    rightAligned(g, Ticks.format(xv), left[p] - 8, py + 4);
                }
                g.setFont(panelFont);
                centered(g, "t", left[p] + PANEL_W / 2, top + PANEL_H + 38);
                rightAligned(g, "x", left[p] - 40, top + PANEL_H / 2 + 5);
            }

            // colour bar: top row = hi exactly, bottom row = lo exactly
            for (int y = 0; y < PANEL_H; y++) {
                double u = 1.0 - (double) y / (PANEL_H - 1);
                g.setColor(Colormap.viridis(u));
                g.fillRect(barLeft, top + y, BAR_W, 1);
            }
            g.setColor(Color.BLACK);
            g.drawRect(barLeft - 1, top - 1, BAR_W + 1, PANEL_H + 1);
            g.setFont(tickFont);
            for (double v : Ticks.nice(lo, hi, 6)) {
                int py = top + PANEL_H - (int) Math.round((v - lo) / (hi - lo) * PANEL_H);
                g.drawLine(barLeft + BAR_W, py, barLeft + BAR_W + 4, py);
                g.drawString(Ticks.format(v), barLeft + BAR_W + 7, py + 4);
            }
        } finally {
            g.dispose();
        }
        return new Rendered(img, layout, lo, hi);
    }

    private static void centered(Graphics2D g, String s, int cx, int baseline) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, cx - fm.stringWidth(s) / 2, baseline);
    }

    private static void rightAligned(Graphics2D g, String s, int right, int baseline) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, right - fm.stringWidth(s), baseline);
    }

    /** Nice tick values (1, 2, 5 × 10^k steps) and their labels. */
    static final class Ticks {
        private Ticks() {
        }

        static double[] nice(double lo, double hi, int maxCount) {
            if (!(hi > lo)) {
                return new double[]{lo};
            }
            double raw = (hi - lo) / Math.max(1, maxCount - 1);
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = mag;
            for (double m : new double[]{1, 2, 2.5, 5, 10}) {
                if (m * mag >= raw) {
                    step = m * mag;
                    break;
                }
            }
            double first = Math.ceil(lo / step - 1e-9) * step;
            int n = (int) Math.floor((hi - first) / step + 1e-9) + 1;
            double[] out = new double[Math.max(0, n)];
            for (int i = 0; i < out.length; i++) {
                double v = first + i * step;
                out[i] = Math.abs(v) < step * 1e-9 ? 0.0 : v;
            }
            return out;
        }

        static String format(double v) {
            if (v == Math.rint(v) && Math.abs(v) < 1e6) {
                return Long.toString((long) v);
            }
            double a = Math.abs(v);
            if (a >= 1e-3 && a < 1e5) {
                String s = String.format(Locale.ROOT, "%.3f", v);
                s = s.replaceAll("0+$", "");
                return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
            }
            return String.format(Locale.ROOT, "%.1e", v);
        }
    }
}
