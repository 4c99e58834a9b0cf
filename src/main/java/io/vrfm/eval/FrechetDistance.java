package io.vrfm.eval;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Fréchet distance between two Gaussians, the formula behind FID:
 * <pre>  d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2·(Σ₁Σ₂)^½)</pre>
 *
 * <p>pytorch-fid takes {@code scipy.linalg.sqrtm(Σ₁Σ₂)} of a non-symmetric product and discards imaginary round-off.
 * Here only the trace of the square root is needed, and {@code Σ₁Σ₂} has the same eigenvalues as the symmetric
 * positive semi-definite {@code M = Σ₁^½ Σ₂ Σ₁^½}, so {@code Tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ(M)}: two symmetric eigen-decompositions
 * (EJML), with eigenvalues within round-off of zero (below {@code d·ε·max λ}, including negative ones) taken as zero.
 * No complex arithmetic and no ε offset are needed, also for singular covariances (fewer samples than dimensions).
 *
 * <p>Features are handed over as plain row-major {@code float[]} of {@code n × dim}; all arithmetic is double.
 */
public final class FrechetDistance {
    /** Above this many floats (n·dim) the covariance products use EJML's multi-threaded kernels. */
    private static final long PARALLEL_THRESHOLD = 1L << 20;
    /** Rows per block when accumulating the covariance, so a big feature set is never copied whole into doubles. */
    private static final int BLOCK_ROWS = 1024;

    private FrechetDistance() {
    }

    /** Mean {@code mu} ({@code dim}) and unbiased covariance {@code sigma} ({@code dim × dim}) of {@code n} samples. */
    public record Stats(double[] mu, double[][] sigma, int n) {
        public Stats {
            if (mu == null || sigma == null) {
                throw new IllegalArgumentException("Stats: mu and sigma must not be null");
            }
            checkSquare("sigma", sigma, mu.length);
        }

        public int dim() {
            return mu.length;
        }
    }

    /**
     * Mean and unbiased covariance (divided by {@code n − 1}) of {@code n} feature vectors of length {@code dim},
     * stored row-major in {@code features}.
     */
    public static Stats stats(float[] features, int n, int dim) {
        if (n < 2 || dim < 1) {
            throw new IllegalArgumentException("FID stats need at least 2 samples of dimension >= 1, got n=" + n
                    + " dim=" + dim);
        }
        if (features.length < (long) n * dim) {
            throw new IllegalArgumentException("FID stats: features has " + features.length + " floats, n=" + n
                    + " × dim=" + dim + " needs " + (long) n * dim);
        }
        double[] mu = new double[dim];
        for (int i = 0; i < n; i++) {
            int row = i * dim;
            for (int j = 0; j < dim; j++) {
                mu[j] += features[row + j];
            }
        }
        for (int j = 0; j < dim; j++) {
            mu[j] /= n;
        }
        boolean parallel = (long) n * dim >= PARALLEL_THRESHOLD;
        DMatrixRMaj cov = new DMatrixRMaj(dim, dim);
        for (int start = 0; start < n; start += BLOCK_ROWS) {
            int rows = Math.min(BLOCK_ROWS, n - start);
            DMatrixRMaj block = new DMatrixRMaj(rows, dim);
            double[] b = block.data;
            for (int i = 0; i < rows; i++) {
                int src = (start + i) * dim;
                int dst = i * dim;
                for (int j = 0; j < dim; j++) {
                    b[dst + j] = features[src + j] - mu[j];
                }
            }
            if (parallel) {
                CommonOps_MT_DDRM.multAddTransA(block, block, cov);
            } else {
                CommonOps_DDRM.multAddTransA(block, block, cov);
            }
        }
        double[][] sigma = new double[dim][dim];
        double scale = 1.0 / (n - 1);
        for (int r = 0; r < dim; r++) {
            for (int c = r; c < dim; c++) {
                // symmetrize exactly: the two halves of X^T X can differ in the last bit
                double v = 0.5 * (cov.unsafe_get(r, c) + cov.unsafe_get(c, r)) * scale;
                sigma[r][c] = v;
                sigma[c][r] = v;
            }
        }
        return new Stats(mu, sigma, n);
    }

    /** FID between two feature sets ({@code nA × dim} and {@code nB × dim}, row-major). */
    public static double fid(float[] featA, int nA, float[] featB, int nB, int dim) {
        return fid(stats(featA, nA, dim), stats(featB, nB, dim));
    }

    /**
     * FID of {@code n} feature vectors ({@code n × dim}, row-major) against reference statistics. Exact in both
     * cases; with fewer samples than dimensions it uses the rank-{@code (n−1)} form: with {@code Σ_g = B·Bᵀ},
     * {@code B} the centred features over {@code √(n−1)} ({@code dim × n}), {@code Σ_r·Σ_g} has the non-zero
     * eigenvalues of the small PSD {@code Bᵀ·Σ_r·B}, so {@code Tr((Σ_r Σ_g)^½) = Σᵢ √λᵢ(Bᵀ Σ_r B)}: an
     * {@code n × n} eigenproblem instead of two {@code dim × dim} ones (2048-d Inception features, few samples).
     */
    public static double fid(Stats reference, float[] features, int n) {
        int d = reference.dim();
        if (features.length != (long) n * d) {
            throw new IllegalArgumentException("Frechet distance: " + features.length + " features are not " + n + " × " + d);
        }
        if (n - 1 >= d || n < 2) {
            return fid(reference, stats(features, n, d));
        }
        double[] mu = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) mu[j] += features[i * d + j];
        }
        for (int j = 0; j < d; j++) mu[j] /= n;
        DMatrixRMaj b = new DMatrixRMaj(d, n);
        double scale = 1.0 / Math.sqrt(n - 1), trG = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double v = (features[i * d + j] - mu[j]) * scale;
                b.unsafe_set(j, i, v);
                trG += v * v;
            }
        }
        DMatrixRMaj sigmaR = symmetrized(reference.sigma());
        DMatrixRMaj sb = new DMatrixRMaj(d, n), m = new DMatrixRMaj(n, n);
        CommonOps_DDRM.mult(sigmaR, b, sb);
        CommonOps_DDRM.multTransA(b, sb, m);
        symmetrizeInPlace(m);
        double[] lambda = symmetricEigenvalues(m);
        double cut = noiseFloor(lambda), trSqrt = 0;
        for (double l : lambda) {
            trSqrt += l > cut ? Math.sqrt(l) : 0;
        }
        double diff = 0, trR = 0;
        for (int j = 0; j < d; j++) {
            double t = reference.mu()[j] - mu[j];
            diff += t * t;
            trR += reference.sigma()[j][j];
        }
        return diff + trR + trG - 2 * trSqrt;
    }

    /** Fréchet distance between two sets of statistics. */
    public static double fid(Stats a, Stats b) {
        return frechetDistance(a.mu(), a.sigma(), b.mu(), b.sigma());
    }

    /** ‖mu1 − mu2‖² + Tr(sigma1) + Tr(sigma2) − 2·Tr((sigma1·sigma2)^½), for symmetric PSD covariances. */
    public static double frechetDistance(double[] mu1, double[][] sigma1, double[] mu2, double[][] sigma2) {
        int d = mu1.length;
        if (mu2.length != d) {
            throw new IllegalArgumentException("Frechet distance: mean dimensions differ, " + d + " vs " + mu2.length);
        }
        checkSquare("sigma1", sigma1, d);
        checkSquare("sigma2", sigma2, d);
        double diff = 0;
        for (int i = 0; i < d; i++) {
            double t = mu1[i] - mu2[i];
            diff += t * t;
        }
        double tr1 = 0;
        double tr2 = 0;
        for (int i = 0; i < d; i++) {
            tr1 += sigma1[i][i];
            tr2 += sigma2[i][i];
        }
        double trSqrt = traceSqrtProduct(sigma1, sigma2);
        return diff + tr1 + tr2 - 2 * trSqrt;
    }

    /**
     * {@code Tr((S1·S2)^½)} for symmetric PSD {@code S1}, {@code S2}, computed as {@code Σ √λ(S1^½ S2 S1^½)}.
     */
    public static double traceSqrtProduct(double[][] s1, double[][] s2) {
        int d = s1.length;
        checkSquare("s1", s1, d);
        checkSquare("s2", s2, d);
        DMatrixRMaj a = symmetrized(s1);
        DMatrixRMaj b = symmetrized(s2);
        DMatrixRMaj rootA = sqrtPsd(a);
        boolean parallel = (long) d * d * d >= PARALLEL_THRESHOLD * 64;
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj m = new DMatrixRMaj(d, d);
        if (parallel) {
            CommonOps_MT_DDRM.mult(rootA, b, tmp);
            CommonOps_MT_DDRM.mult(tmp, rootA, m);
        } else {
            CommonOps_DDRM.mult(rootA, b, tmp);
            CommonOps_DDRM.mult(tmp, rootA, m);
        }
        symmetrizeInPlace(m);
        double[] lambda = symmetricEigenvalues(m);
        double cut = noiseFloor(lambda);
        double tr = 0;
        for (double l : lambda) {
            tr += l > cut ? Math.sqrt(l) : 0;
        }
        return tr;
    }

    /** The PSD square root {@code V·diag(√max(λ,0))·Vᵀ} of a symmetric matrix (as a new matrix). */
    static DMatrixRMaj sqrtPsd(DMatrixRMaj sym) {
        int d = sym.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(sym.copy())) {
            throw new ArithmeticException("Frechet distance: the eigen-decomposition of a " + d + "×" + d
                    + " covariance did not converge — check the features for NaN or infinite values");
        }
        // V·diag(√λ) then ·Vᵀ
        DMatrixRMaj vs = new DMatrixRMaj(d, d);
        DMatrixRMaj v = new DMatrixRMaj(d, d);
        double[] lambdas = new double[d];
        for (int k = 0; k < d; k++) {
            lambdas[k] = eig.getEigenvalue(k).real;
        }
        double cut = noiseFloor(lambdas);
        for (int k = 0; k < d; k++) {
            DMatrixRMaj vec = eig.getEigenVector(k);
            double lambda = lambdas[k];
            double s = lambda > cut ? Math.sqrt(lambda) : 0;
            for (int r = 0; r < d; r++) {
                double x = vec == null ? 0 : vec.data[r];
                v.unsafe_set(r, k, x);
                vs.unsafe_set(r, k, x * s);
            }
        }
        DMatrixRMaj root = new DMatrixRMaj(d, d);
        if ((long) d * d * d >= PARALLEL_THRESHOLD * 64) {
            CommonOps_MT_DDRM.multTransB(vs, v, root);
        } else {
            CommonOps_DDRM.multTransB(vs, v, root);
        }
        symmetrizeInPlace(root);
        return root;
    }

    /**
     * Eigenvalues at or below {@code d·ε·max|λ|} are round-off of a zero eigenvalue (a rank-deficient covariance):
     * they are taken as zero, so that their square roots (≈ √ε·|λ|max^½ each) do not add up to a visible error.
     */
    private static double noiseFloor(double[] lambda) {
        double max = 0;
        for (double l : lambda) {
            max = Math.max(max, Math.abs(l));
        }
        return lambda.length * Math.ulp(1.0) * max;
    }

    private static double[] symmetricEigenvalues(DMatrixRMaj sym) {
        int d = sym.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
        if (!eig.decompose(sym.copy())) {
            throw new ArithmeticException("Frechet distance: the eigen-decomposition of a " + d + "×" + d
                    + " matrix did not converge — check the features for NaN or infinite values");
        }
        double[] out = new double[d];
        for (int k = 0; k < d; k++) {
            out[k] = eig.getEigenvalue(k).real;
        }
        return out;
    }

    private static DMatrixRMaj symmetrized(double[][] s) {
        int d = s.length;
        DMatrixRMaj m = new DMatrixRMaj(d, d);
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                double v = s[r][c];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("Frechet distance: covariance entry [" + r + "][" + c + "] is "
                            + v + " — the features contain NaN or infinite values");
                }
                m.unsafe_set(r, c, v);
            }
        }
        symmetrizeInPlace(m);
        return m;
    }

    private static void symmetrizeInPlace(DMatrixRMaj m) {
        int d = m.numRows;
        for (int r = 0; r < d; r++) {
            for (int c = r + 1; c < d; c++) {
                double v = 0.5 * (m.unsafe_get(r, c) + m.unsafe_get(c, r));
                m.unsafe_set(r, c, v);
                m.unsafe_set(c, r, v);
            }
        }
    }

    private static void checkSquare(String what, double[][] s, int d) {
        if (s.length != d) {
            throw new IllegalArgumentException("Frechet distance: " + what + " has " + s.length + " rows, expected " + d);
        }
        for (int r = 0; r < d; r++) {
            if (s[r] == null || s[r].length != d) {
                throw new IllegalArgumentException("Frechet distance: " + what + " row " + r + " has "
                        + (s[r] == null ? "null" : s[r].length + " columns") + ", expected " + d);
            }
        }
    }
}
