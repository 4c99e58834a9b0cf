package io.vrfm.eval;

import java.util.Arrays;

/**
 * Velocity-ambiguity map (paper Fig. 3 and 13): trajectory points {@code (x, t, v)} binned on the
 * {@code (x, t)} plane, with the spread (standard deviation) of the velocity per bin. The ground-truth map
 * comes from straight lines between randomly coupled source/target samples ({@link #straightLinePoints});
 * a model's map from points along its sampled trajectories with the velocity it predicted there.
 *
 * <p>Grids are indexed {@code [ix][it]}: the first index runs over {@code nx} bins of {@code [xLo, xHi]}, the
 * second over {@code nt} bins of {@code [tLo, tHi]} (the plots draw t across and x up). The std is the
 * population standard deviation (divide by the count, like {@code numpy.std}); bins with fewer than
 * {@code minCount} points hold NaN in {@code std} and {@code mean}. Points outside the ranges are ignored
 * (the upper edge belongs to the last bin).
 */
public record AmbiguityMap(int nx, int nt, double xLo, double xHi, double tLo, double tHi, int minCount,
                           double[][] std, double[][] mean, int[][] count) {

    /** Trajectory points: state {@code x}, time {@code t} and velocity {@code v}, each of length m. */
    public record Points(float[] x, float[] t, float[] v) {
    }

    /** The map of 1-D trajectory points ({@code x}, {@code t}, {@code v} all of length m). */
    public static AmbiguityMap compute(float[] x, float[] t, float[] v, int nx, int nt,
                                       double xLo, double xHi, double tLo, double tHi, int minCount) {
        if (x.length != t.length || x.length != v.length) {
            throw new IllegalArgumentException("x, t, v must have one length, got " + x.length + ", " + t.length + ", " + v.length);
        }
        return build(x.length, i -> x[i], i -> t[i], i -> v[i], 1, nx, nt, xLo, xHi, tLo, tHi, minCount, null);
    }

    /**
     * The map of multi-dimensional trajectory points: {@code x} and {@code v} row-major {@code [m, dim]},
     * {@code t} of length m. Bins use state coordinate {@code coord}. With {@code totalSpread} false the
     * spread is the std of velocity coordinate {@code coord}; with it true, the total spread
     * {@code sqrt(Σ_d var(v_d))} of the whole velocity vector.
     */
    public static AmbiguityMap computeCoordinate(float[] x, float[] t, float[] v, int m, int dim, int coord,
                                                 boolean totalSpread, int nx, int nt, double xLo, double xHi,
                                                 double tLo, double tHi, int minCount) {
        if (coord < 0 || coord >= dim) {
            throw new IllegalArgumentException("coordinate " + coord + " outside [0, " + dim + ")");
        }
        if (x.length < (long) m * dim || v.length < (long) m * dim || t.length < m) {
            throw new IllegalArgumentException("need x, v of [" + m + ", " + dim + "] and t of [" + m + "], got "
                    + x.length + ", " + v.length + ", " + t.length);
        }
        if (!totalSpread) {
            return build(m, i -> x[i * dim + coord], i -> t[i], i -> v[i * dim + coord], 1, nx, nt, xLo, xHi, tLo, tHi, minCount, null);
        }
        return build(m, i -> x[i * dim + coord], i -> t[i], null, dim, nx, nt, xLo, xHi, tLo, tHi, minCount, v);
    }

    private interface Getter {
        double get(int i);
    }

    private static AmbiguityMap build(int m, Getter gx, Getter gt, Getter gv, int vdim, int nx, int nt,
                                      double xLo, double xHi, double tLo, double tHi, int minCount, float[] vrows) {
        if (nx <= 0 || nt <= 0 || !(xHi > xLo) || !(tHi > tLo)) {
            throw new IllegalArgumentException("need nx, nt > 0 and xLo < xHi, tLo < tHi");
        }
        int minC = Math.max(1, minCount);
        int[][] count = new int[nx][nt];
        // Welford accumulators per bin and velocity coordinate
        double[][][] mu = new double[vdim][nx][nt];
        double[][][] m2 = new double[vdim][nx][nt];
        for (int i = 0; i < m; i++) {
            int ix = bin(gx.get(i), xLo, xHi, nx);
            int it = bin(gt.get(i), tLo, tHi, nt);
            if (ix < 0 || it < 0) {
                continue;
            }
            int c = ++count[ix][it];
            for (int d = 0; d < vdim; d++) {
                double val = vrows != null ? vrows[i * vdim + d] : gv.get(i);
                double delta = val - mu[d][ix][it];
                mu[d][ix][it] += delta / c;
                m2[d][ix][it] += delta * (val - mu[d][ix][it]);
            }
        }
        double[][] std = new double[nx][nt];
        double[][] mean = new double[nx][nt];
        for (int ix = 0; ix < nx; ix++) {
            for (int it = 0; it < nt; it++) {
                int c = count[ix][it];
                if (c < minC) {
                    std[ix][it] = Double.NaN;
                    mean[ix][it] = Double.NaN;
                    continue;
                }
                double var = 0;
                for (int d = 0; d < vdim; d++) {
                    var += m2[d][ix][it] / c;
                }
                std[ix][it] = Math.sqrt(Math.max(0, var));
                mean[ix][it] = vdim == 1 ? mu[0][ix][it] : Double.NaN;
            }
        }
        return new AmbiguityMap(nx, nt, xLo, xHi, tLo, tHi, minC, std, mean, count);
    }

    /** Bin index of {@code value} in [lo, hi] split into n bins, or −1 outside (the upper edge is in). */
    static int bin(double value, double lo, double hi, int n) {
        if (!(value >= lo && value <= hi)) {
            return -1;
        }
        int b = (int) Math.floor((value - lo) / (hi - lo) * n);
        return Math.min(b, n - 1);
    }

    /** Centre of x bin {@code ix}. */
    public double xCenter(int ix) {
        return xLo + (ix + 0.5) * (xHi - xLo) / nx;
    }

    /** Centre of t bin {@code it}. */
    public double tCenter(int it) {
        return tLo + (it + 0.5) * (tHi - tLo) / nt;
    }

    /** The std of the bin that holds {@code (x, t)}, NaN when outside the grid or too sparse. */
    public double stdAt(double x, double t) {
        int ix = bin(x, xLo, xHi, nx), it = bin(t, tLo, tHi, nt);
        return ix < 0 || it < 0 ? Double.NaN : std[ix][it];
    }

    /** The largest std over bins with enough points (NaN when there are none). */
    public double maxStd() {
        double best = Double.NaN;
        for (double[] row : std) {
            for (double s : row) {
                if (!Double.isNaN(s) && (Double.isNaN(best) || s > best)) {
                    best = s;
                }
            }
        }
        return best;
    }

    /** {@code {ix, it}} of the bin with the largest std, or null when no bin has enough points. */
    public int[] argMaxStd() {
        int[] arg = null;
        double best = Double.NEGATIVE_INFINITY;
        for (int ix = 0; ix < nx; ix++) {
            for (int it = 0; it < nt; it++) {
                if (!Double.isNaN(std[ix][it]) && std[ix][it] > best) {
                    best = std[ix][it];
                    arg = new int[]{ix, it};
                }
            }
        }
        return arg;
    }

    /** The mean of the std over bins with enough points, a one-number summary of the map. */
    public double meanStd() {
        double s = 0;
        int k = 0;
        for (double[] row : std) {
            for (double v : row) {
                if (!Double.isNaN(v)) {
                    s += v;
                    k++;
                }
            }
        }
        return k == 0 ? Double.NaN : s / k;
    }

    /**
     * The velocities of the 1-D points within a box around {@code (x0, t0)}:
     * {@code |x − x0| ≤ radiusX} and {@code |t − t0| ≤ radiusT} (for the velocity histograms at points such as
     * (0, 0), (0, 0.5), (−1, 0.95)).
     */
    public static float[] velocitiesNear(float[] x, float[] t, float[] v, double x0, double t0, double radiusX, double radiusT) {
        if (x.length != t.length || x.length != v.length) {
            throw new IllegalArgumentException("x, t, v must have one length, got " + x.length + ", " + t.length + ", " + v.length);
        }
        return near(x.length, i -> x[i], i -> t[i], i -> v[i], x0, t0, radiusX, radiusT);
    }

    /** As above for points of dimension {@code dim}: box on state coordinate {@code coord}, returns v[:, coord]. */
    public static float[] velocitiesNear(float[] x, float[] t, float[] v, int m, int dim, int coord,
                                         double x0, double t0, double radiusX, double radiusT) {
        if (coord < 0 || coord >= dim) {
            throw new IllegalArgumentException("coordinate " + coord + " outside [0, " + dim + ")");
        }
        return near(m, i -> x[i * dim + coord], i -> t[i], i -> v[i * dim + coord], x0, t0, radiusX, radiusT);
    }

    private static float[] near(int m, Getter gx, Getter gt, Getter gv, double x0, double t0, double rx, double rt) {
        float[] out = new float[16];
        int k = 0;
        for (int i = 0; i < m; i++) {
            if (Math.abs(gx.get(i) - x0) <= rx && Math.abs(gt.get(i) - t0) <= rt) {
                if (k == out.length) {
                    out = Arrays.copyOf(out, k * 2);
                }
                out[k++] = (float) gv.get(i);
            }
        }
        return Arrays.copyOf(out, k);
    }

    /**
     * Ground-truth trajectory points of rectified flow with random couplings, 1-D: for each pair
     * {@code (x0[i], x1[i])} and each time in {@code times}, the point {@code x_t = (1−t)·x0 + t·x1} with
     * velocity {@code x1 − x0}. Output length is {@code x0.length · times.length}.
     */
    public static Points straightLinePoints(float[] x0, float[] x1, float[] times) {
        if (x0.length != x1.length) {
            throw new IllegalArgumentException("x0 and x1 must have one length, got " + x0.length + " and " + x1.length);
        }
        int n = x0.length, k = times.length;
        float[] x = new float[n * k], t = new float[n * k], v = new float[n * k];
        for (int i = 0; i < n; i++) {
            float vel = x1[i] - x0[i];
            for (int j = 0; j < k; j++) {
                int o = i * k + j;
                float tt = times[j];
                x[o] = (1 - tt) * x0[i] + tt * x1[i];
                t[o] = tt;
                v[o] = vel;
            }
        }
        return new Points(x, t, v);
    }

    /**
     * Points along sampled trajectories: {@code paths[p][j]} is the state of trajectory p at {@code times[j]},
     * {@code velocities[p][j]} the velocity there (for an Euler sampler, the velocity evaluated at that step).
     * Flattens them into the arrays {@link #compute} takes.
     */
    public static Points trajectoryPoints(float[] times, float[][] paths, float[][] velocities) {
        if (paths.length != velocities.length) {
            throw new IllegalArgumentException("paths and velocities differ in count: " + paths.length + " vs " + velocities.length);
        }
        int k = times.length;
        float[] x = new float[paths.length * k], t = new float[x.length], v = new float[x.length];
        for (int p = 0; p < paths.length; p++) {
            if (paths[p].length < k || velocities[p].length < k) {
                throw new IllegalArgumentException("trajectory " + p + " is shorter than the " + k + " times");
            }
            System.arraycopy(paths[p], 0, x, p * k, k);
            System.arraycopy(velocities[p], 0, v, p * k, k);
            System.arraycopy(times, 0, t, p * k, k);
        }
        return new Points(x, t, v);
    }
}
