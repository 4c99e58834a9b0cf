package io.vrfm.flow;

import java.util.Arrays;

/**
 * The linear assignment problem: a minimum-cost perfect matching of an {@code n × n} cost matrix. Used by
 * {@link MinibatchOtCoupling} (OT-FM's exact minibatch coupling) and by the exact Wasserstein distance in
 * {@code io.vrfm.eval.Wasserstein}. Deterministic: the same matrix gives the same matching.
 */
public final class LinearAssignment {
    private LinearAssignment() {
    }

    /**
     * A minimum-cost perfect matching of a square cost matrix ({@code cost[i*n + j]}, finite): returns
     * {@code match} with row {@code i} assigned to column {@code match[i]}. Hungarian algorithm in its
     * shortest-augmenting-path form with row/column potentials (Jonker–Volgenant style), O(n³).
     */
    public static int[] solve(double[] cost, int n) {
        if (n <= 0 || cost.length < (long) n * n) {
            throw new IllegalArgumentException("assignment needs an [n, n] cost matrix, got " + cost.length + " entries for n=" + n);
        }
        for (int k = 0; k < n * n; k++) {
            if (!Double.isFinite(cost[k])) {
                throw new IllegalArgumentException("assignment: cost matrix holds a non-finite entry at (" + k / n + ", " + k % n + ")");
            }
        }
        double[] u = new double[n + 1], v = new double[n + 1], minv = new double[n + 1];
        int[] p = new int[n + 1], way = new int[n + 1];
        boolean[] used = new boolean[n + 1];
        // column reduction: v_j = min_i c_ij keeps every reduced cost >= 0 (u = 0); each column's argmin row, if
        // still free, takes it along a tight edge — a partial matching the augmentations below start from
        boolean[] rowDone = new boolean[n + 1];
        for (int j = 1; j <= n; j++) {
            double best = Double.POSITIVE_INFINITY;
            int arg = 0;
            for (int i = 1; i <= n; i++) {
                double c = cost[(i - 1) * n + j - 1];
                if (c < best) {
                    best = c;
                    arg = i;
                }
            }
            if (arg == 0) {
                throw new IllegalArgumentException("assignment: cost matrix holds NaN or infinite entries");
            }
            v[j] = best;
            if (!rowDone[arg]) {
                rowDone[arg] = true;
                p[j] = arg;
            }
        }
        for (int i = 1; i <= n; i++) {
            if (rowDone[i]) {
                continue;
            }
            p[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = Double.POSITIVE_INFINITY, ui0 = u[i0];
                int row = (i0 - 1) * n - 1;
                for (int j = 1; j <= n; j++) {
                    if (!used[j]) {
                        double cur = cost[row + j] - ui0 - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                if (j1 == 0) {
                    throw new IllegalArgumentException("assignment: cost matrix holds NaN or infinite entries");
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] match = new int[n];
        for (int j = 1; j <= n; j++) {
            match[p[j] - 1] = j - 1;
        }
        return match;
    }

    /** The total cost {@code Σ_i cost[i, match[i]]} of a matching. */
    public static double cost(double[] cost, int n, int[] match) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += cost[i * n + match[i]];
        }
        return s;
    }
}
