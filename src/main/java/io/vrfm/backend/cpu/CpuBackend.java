package io.vrfm.backend.cpu;

import io.vrfm.backend.Backend;
import io.vrfm.backend.BinaryOp;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import io.vrfm.backend.Philox;
import io.vrfm.backend.ReduceOp;
import io.vrfm.backend.UnaryOp;

/**
 * The reference backend: every primitive in plain Java over {@code float[]}, split across all cores above a
 * size threshold. The CUDA backend is tested against it.
 */
public final class CpuBackend implements Backend {

    /** Element count below which a loop stays on the calling thread. */
    static final int GRAIN = 1 << 15;

    private final CpuParallel par;
    private final CpuParallel serial = new CpuParallel(1);

    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuBackend(int threads) {
        this.par = new CpuParallel(threads);
    }

    /** Heap storage of the CPU backend. */
    static final class CpuBuffer implements Buffer {
        final float[] data;
        private final CpuBackend owner;

        CpuBuffer(CpuBackend owner, int n) {
            this.owner = owner;
            this.data = new float[n];
        }

        @Override
        public long length() {
            return data.length;
        }

        @Override
        public Backend backend() {
            return owner;
        }
    }

    private static float[] d(Buffer b) {
        if (b == null) {
            return null;
        }
        if (!(b instanceof CpuBuffer)) {
            throw new IllegalArgumentException("cpu backend: buffer belongs to " + b.backend().name()
                    + "; move the tensor with .to(cpu) first");
        }
        return ((CpuBuffer) b).data;
    }

    private static int i(long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cpu backend: " + v + " elements exceed the 2^31 limit of a Java array");
        }
        return (int) v;
    }

    public int threads() {
        return par.threads();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String describe() {
        return "cpu: " + par.threads() + " threads; gemm " + Sgemm.path() + "; conv im2col+gemm";
    }

    @Override
    public boolean heapManaged() {
        return true;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Buffer allocate(long n) {
        return new CpuBuffer(this, i(n));
    }

    @Override
    public void release(Buffer buffer) {
        // heap storage: the garbage collector reclaims it
    }

    @Override
    public void upload(float[] src, int srcOffset, Buffer dst, long dstOffset, int n) {
        System.arraycopy(src, srcOffset, d(dst), i(dstOffset), n);
    }

    @Override
    public void download(Buffer src, long srcOffset, float[] dst, int dstOffset, int n) {
        System.arraycopy(d(src), i(srcOffset), dst, dstOffset, n);
    }

    @Override
    public void fill(Buffer dst, long offset, long n, float value) {
        float[] a = d(dst);
        int off = i(offset);
        par.forRange(i(n), GRAIN, (lo, hi) -> java.util.Arrays.fill(a, off + lo, off + hi, value));
    }

    @Override
    public void copy(Buffer src, long srcOffset, Buffer dst, long dstOffset, long n) {
        System.arraycopy(d(src), i(srcOffset), d(dst), i(dstOffset), i(n));
    }

    @Override
    public void copy2d(Buffer src, long srcOffset, int srcStride, Buffer dst, long dstOffset, int dstStride,
                       int rows, int cols) {
        float[] s = d(src), t = d(dst);
        int so = i(srcOffset), to = i(dstOffset);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                System.arraycopy(s, so + r * srcStride, t, to + r * dstStride, cols);
            }
        });
    }

    @Override
    public void synchronize() {
    }

    // ---------------------------------------------------------------- random numbers

    @Override
    public void randomUniform(Buffer dst, long n, long seed, long counter) {
        float[] a = d(dst);
        par.forRange(i(n), 4096, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                a[k] = Philox.uniform(seed, counter + k);
            }
        });
    }

    @Override
    public void randomNormal(Buffer dst, long n, long seed, long counter) {
        float[] a = d(dst);
        par.forRange(i(n), 4096, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                a[k] = Philox.normal(seed, counter + k);
            }
        });
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void unary(UnaryOp op, Buffer x, Buffer y, long n, float p0, float p1) {
        float[] xs = d(x), ys = d(y);
        par.forRange(i(n), GRAIN, (lo, hi) -> UnaryMath.forward(op, xs, ys, lo, hi, p0, p1));
    }

    @Override
    public void unaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, long n, float p0, float p1) {
        float[] xs = d(x), ys = d(y), gys = d(gy), gxs = d(gx);
        par.forRange(i(n), GRAIN, (lo, hi) -> UnaryMath.backward(op, xs, ys, gys, gxs, lo, hi, p0, p1));
    }

    @Override
    public void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape) {
        float[] as = d(a), bs = d(b), os = d(out);
        int rank = outShape.length;
        if (rank == 0) {
            os[0] = binaryScalar(op, as[0], bs[0]);
            return;
        }
        int inner = outShape[rank - 1];
        int outer = 1;
        for (int k = 0; k < rank - 1; k++) {
            outer *= outShape[k];
        }
        int aIn = aStrides[rank - 1], bIn = bStrides[rank - 1];
        if (outer == 1) {
            par.forRange(inner, GRAIN, (lo, hi) -> binaryRow(op, as, lo * aIn, aIn, bs, lo * bIn, bIn, os, lo, hi - lo));
            return;
        }
        par.forRange(outer, Math.max(1, GRAIN / Math.max(1, inner)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int rem = row, aBase = 0, bBase = 0;
                for (int k = rank - 2; k >= 0; k--) {
                    int idx = rem % outShape[k];
                    rem /= outShape[k];
                    aBase += idx * aStrides[k];
                    bBase += idx * bStrides[k];
                }
                binaryRow(op, as, aBase, aIn, bs, bBase, bIn, os, row * inner, inner);
            }
        });
    }

    private static float binaryScalar(BinaryOp op, float a, float b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case MAX: return Math.max(a, b);
            case EQUAL: return a == b ? 1f : 0f;
            default: throw new IllegalStateException(op.name());
        }
    }

    private static void binaryRow(BinaryOp op, float[] a, int ai, int as, float[] b, int bi, int bs,
                                  float[] o, int oi, int len) {
        switch (op) {
            case ADD:
                if (as == 1 && bs == 1) {
                    for (int k = 0; k < len; k++) o[oi + k] = a[ai + k] + b[bi + k];
                } else {
                    for (int k = 0; k < len; k++) o[oi + k] = a[ai + k * as] + b[bi + k * bs];
                }
                break;
            case SUB:
                for (int k = 0; k < len; k++) o[oi + k] = a[ai + k * as] - b[bi + k * bs];
                break;
            case MUL:
                if (as == 1 && bs == 1) {
                    for (int k = 0; k < len; k++) o[oi + k] = a[ai + k] * b[bi + k];
                } else {
                    for (int k = 0; k < len; k++) o[oi + k] = a[ai + k * as] * b[bi + k * bs];
                }
                break;
            case DIV:
                for (int k = 0; k < len; k++) o[oi + k] = a[ai + k * as] / b[bi + k * bs];
                break;
            case MAX:
                for (int k = 0; k < len; k++) o[oi + k] = Math.max(a[ai + k * as], b[bi + k * bs]);
                break;
            case EQUAL:
                for (int k = 0; k < len; k++) o[oi + k] = a[ai + k * as] == b[bi + k * bs] ? 1f : 0f;
                break;
            default:
                throw new IllegalStateException(op.name());
        }
    }

    @Override
    public void reduce(ReduceOp op, Buffer x, int outer, int n, int inner, Buffer out) {
        float[] xs = d(x), os = d(out);
        boolean max = op == ReduceOp.MAX;
        if (inner == 1) {
            par.forRange(outer, Math.max(1, GRAIN / Math.max(1, n)), (lo, hi) -> {
                for (int o = lo; o < hi; o++) {
                    int base = o * n;
                    if (max) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int j = 0; j < n; j++) m = Math.max(m, xs[base + j]);
                        os[o] = m;
                    } else {
                        double s = 0;
                        for (int j = 0; j < n; j++) s += xs[base + j];
                        os[o] = (float) s;
                    }
                }
            });
            return;
        }
        // Reduce across rows: parallel over (outer, inner-chunk) so both tall and wide shapes use every core.
        int chunk = Math.max(64, Math.min(inner, 1024));
        int chunksPerOuter = (inner + chunk - 1) / chunk;
        par.forRange(outer * chunksPerOuter, Math.max(1, GRAIN / Math.max(1, n * chunk)), (lo, hi) -> {
            double[] acc = new double[chunk];
            for (int task = lo; task < hi; task++) {
                int o = task / chunksPerOuter;
                int c0 = (task % chunksPerOuter) * chunk;
                int len = Math.min(chunk, inner - c0);
                int base = o * n * inner + c0;
                if (max) {
                    java.util.Arrays.fill(acc, 0, len, Double.NEGATIVE_INFINITY);
                    for (int j = 0; j < n; j++) {
                        int row = base + j * inner;
                        for (int k = 0; k < len; k++) acc[k] = Math.max(acc[k], xs[row + k]);
                    }
                } else {
                    java.util.Arrays.fill(acc, 0, len, 0.0);
                    for (int j = 0; j < n; j++) {
                        int row = base + j * inner;
                        for (int k = 0; k < len; k++) acc[k] += xs[row + k];
                    }
                }
                int ob = o * inner + c0;
                for (int k = 0; k < len; k++) os[ob + k] = (float) acc[k];
            }
        });
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buffer a, long aOffset, int lda, long strideA,
                     Buffer b, long bOffset, int ldb, long strideB,
                     float beta, Buffer c, long cOffset, long strideC, int batch) {
        float[] as = d(a), bs = d(b), cs = d(c);
        if (batch >= par.threads() && (long) m * n * k < (1L << 21)) {
            // many small products: one per task, each single-threaded
            par.forRange(batch, 1, (lo, hi) -> {
                for (int q = lo; q < hi; q++) {
                    Sgemm.sgemm(transA, transB, m, n, k, alpha, as, i(aOffset + q * strideA), lda,
                            bs, i(bOffset + q * strideB), ldb, beta, cs, i(cOffset + q * strideC), n, serial);
                }
            });
            return;
        }
        for (int q = 0; q < batch; q++) {
            Sgemm.sgemm(transA, transB, m, n, k, alpha, as, i(aOffset + q * strideA), lda,
                    bs, i(bOffset + q * strideB), ldb, beta, cs, i(cOffset + q * strideC), n, par);
        }
    }

    // ---------------------------------------------------------------- shape movement

    @Override
    public void permute(Buffer x, int[] shape, int[] perm, Buffer y) {
        float[] xs = d(x), ys = d(y);
        int rank = shape.length;
        int[] inStrides = new int[rank];
        int s = 1;
        for (int k = rank - 1; k >= 0; k--) {
            inStrides[k] = s;
            s *= shape[k];
        }
        int total = s;
        int[] outShape = new int[rank];
        int[] srcStride = new int[rank];
        for (int k = 0; k < rank; k++) {
            outShape[k] = shape[perm[k]];
            srcStride[k] = inStrides[perm[k]];
        }
        int inner = rank == 0 ? 1 : outShape[rank - 1];
        int innerStride = rank == 0 ? 1 : srcStride[rank - 1];
        int outer = total / Math.max(1, inner);
        par.forRange(outer, Math.max(1, GRAIN / Math.max(1, inner)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int rem = row, src = 0;
                for (int k = rank - 2; k >= 0; k--) {
                    int idx = rem % outShape[k];
                    rem /= outShape[k];
                    src += idx * srcStride[k];
                }
                int dst = row * inner;
                for (int q = 0; q < inner; q++) {
                    ys[dst + q] = xs[src + q * innerStride];
                }
            }
        });
    }

    @Override
    public void gatherRows(Buffer table, int rows, int cols, Buffer index, int count, Buffer out) {
        float[] t = d(table), ix = d(index), o = d(out);
        for (int r = 0; r < count; r++) {
            int row = (int) ix[r];
            if (row < 0 || row >= rows) {
                throw new IndexOutOfBoundsException("gather: index " + row + " outside table of " + rows + " rows");
            }
            System.arraycopy(t, row * cols, o, r * cols, cols);
        }
    }

    @Override
    public void scatterAddRows(Buffer gOut, Buffer index, int count, int cols, Buffer gTable) {
        float[] g = d(gOut), ix = d(index), t = d(gTable);
        for (int r = 0; r < count; r++) {
            int row = (int) ix[r];
            int dst = row * cols, src = r * cols;
            for (int q = 0; q < cols; q++) {
                t[dst + q] += g[src + q];
            }
        }
    }

    // ---------------------------------------------------------------- neural-network primitives

    @Override
    public void softmax(Buffer x, Buffer y, int rows, int cols, boolean log) {
        float[] xs = d(x), ys = d(y);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * cols;
                float m = Float.NEGATIVE_INFINITY;
                for (int q = 0; q < cols; q++) m = Math.max(m, xs[base + q]);
                double sum = 0;
                for (int q = 0; q < cols; q++) sum += Math.exp(xs[base + q] - m);
                if (log) {
                    float lse = (float) (m + Math.log(sum));
                    for (int q = 0; q < cols; q++) ys[base + q] = xs[base + q] - lse;
                } else {
                    double inv = 1.0 / sum;
                    for (int q = 0; q < cols; q++) ys[base + q] = (float) (Math.exp(xs[base + q] - m) * inv);
                }
            }
        });
    }

    @Override
    public void softmaxBackward(Buffer y, Buffer gy, Buffer gx, int rows, int cols, boolean log) {
        float[] ys = d(y), gys = d(gy), gxs = d(gx);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * cols;
                double s = 0;
                if (log) {
                    for (int q = 0; q < cols; q++) s += gys[base + q];
                    for (int q = 0; q < cols; q++) {
                        gxs[base + q] = (float) (gys[base + q] - Math.exp(ys[base + q]) * s);
                    }
                } else {
                    for (int q = 0; q < cols; q++) s += (double) gys[base + q] * ys[base + q];
                    for (int q = 0; q < cols; q++) gxs[base + q] = (float) (ys[base + q] * (gys[base + q] - s));
                }
            }
        });
    }

    @Override
    public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                          int rows, int cols, float eps) {
        float[] xs = d(x), g = d(gamma), b = d(beta), ys = d(y), ms = d(mean), rs = d(rstd);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * cols;
                double s = 0;
                for (int q = 0; q < cols; q++) s += xs[base + q];
                double mu = s / cols;
                double v = 0;
                for (int q = 0; q < cols; q++) {
                    double t = xs[base + q] - mu;
                    v += t * t;
                }
                double inv = 1.0 / Math.sqrt(v / cols + eps);
                ms[r] = (float) mu;
                rs[r] = (float) inv;
                for (int q = 0; q < cols; q++) {
                    double xh = (xs[base + q] - mu) * inv;
                    ys[base + q] = (float) ((g == null ? xh : xh * g[q]) + (b == null ? 0 : b[q]));
                }
            }
        });
    }

    @Override
    public void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int rows, int cols) {
        float[] xs = d(x), g = d(gamma), ms = d(mean), rs = d(rstd), gys = d(gy), gxs = d(gx);
        float[] gg = d(gGamma), gb = d(gBeta);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * cols;
                double mu = ms[r], inv = rs[r];
                double sumDy = 0, sumDyXh = 0;
                for (int q = 0; q < cols; q++) {
                    double dy = gys[base + q] * (g == null ? 1.0 : g[q]);
                    double xh = (xs[base + q] - mu) * inv;
                    sumDy += dy;
                    sumDyXh += dy * xh;
                }
                double mDy = sumDy / cols, mDyXh = sumDyXh / cols;
                for (int q = 0; q < cols; q++) {
                    double dy = gys[base + q] * (g == null ? 1.0 : g[q]);
                    double xh = (xs[base + q] - mu) * inv;
                    gxs[base + q] = (float) (inv * (dy - mDy - xh * mDyXh));
                }
            }
        });
        if (gg != null || gb != null) {
            par.forRange(cols, 64, (lo, hi) -> {
                for (int q = lo; q < hi; q++) {
                    double sg = 0, sb = 0;
                    for (int r = 0; r < rows; r++) {
                        double xh = (xs[r * cols + q] - ms[r]) * rs[r];
                        sg += gys[r * cols + q] * xh;
                        sb += gys[r * cols + q];
                    }
                    if (gg != null) gg[q] = (float) sg;
                    if (gb != null) gb[q] = (float) sb;
                }
            });
        }
    }

    @Override
    public void groupNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                          int n, int c, int hw, int groups, float eps) {
        float[] xs = d(x), g = d(gamma), b = d(beta), ys = d(y), ms = d(mean), rs = d(rstd);
        int cpg = c / groups;
        int groupSize = cpg * hw;
        par.forRange(n * groups, Math.max(1, GRAIN / Math.max(1, groupSize)), (lo, hi) -> {
            for (int ng = lo; ng < hi; ng++) {
                int base = ng * groupSize;
                double s = 0;
                for (int q = 0; q < groupSize; q++) s += xs[base + q];
                double mu = s / groupSize;
                double v = 0;
                for (int q = 0; q < groupSize; q++) {
                    double t = xs[base + q] - mu;
                    v += t * t;
                }
                double inv = 1.0 / Math.sqrt(v / groupSize + eps);
                ms[ng] = (float) mu;
                rs[ng] = (float) inv;
                int c0 = (ng % groups) * cpg;
                for (int ch = 0; ch < cpg; ch++) {
                    double gm = g == null ? 1.0 : g[c0 + ch], bt = b == null ? 0.0 : b[c0 + ch];
                    int off = base + ch * hw;
                    for (int p = 0; p < hw; p++) {
                        ys[off + p] = (float) ((xs[off + p] - mu) * inv * gm + bt);
                    }
                }
            }
        });
    }

    @Override
    public void groupNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, int groups) {
        float[] xs = d(x), g = d(gamma), ms = d(mean), rs = d(rstd), gys = d(gy), gxs = d(gx);
        float[] gg = d(gGamma), gb = d(gBeta);
        int cpg = c / groups;
        int groupSize = cpg * hw;
        par.forRange(n * groups, Math.max(1, GRAIN / Math.max(1, groupSize)), (lo, hi) -> {
            for (int ng = lo; ng < hi; ng++) {
                int base = ng * groupSize;
                double mu = ms[ng], inv = rs[ng];
                int c0 = (ng % groups) * cpg;
                double sumDy = 0, sumDyXh = 0;
                for (int ch = 0; ch < cpg; ch++) {
                    double gm = g == null ? 1.0 : g[c0 + ch];
                    int off = base + ch * hw;
                    for (int p = 0; p < hw; p++) {
                        double dy = gys[off + p] * gm;
                        sumDy += dy;
                        sumDyXh += dy * (xs[off + p] - mu) * inv;
                    }
                }
                double mDy = sumDy / groupSize, mDyXh = sumDyXh / groupSize;
                for (int ch = 0; ch < cpg; ch++) {
                    double gm = g == null ? 1.0 : g[c0 + ch];
                    int off = base + ch * hw;
                    for (int p = 0; p < hw; p++) {
                        double xh = (xs[off + p] - mu) * inv;
                        gxs[off + p] = (float) (inv * (gys[off + p] * gm - mDy - xh * mDyXh));
                    }
                }
            }
        });
        if (gg != null || gb != null) {
            par.forRange(c, 1, (lo, hi) -> {
                for (int ch = lo; ch < hi; ch++) {
                    double sg = 0, sb = 0;
                    int grp = ch / cpg;
                    for (int img = 0; img < n; img++) {
                        double mu = ms[img * groups + grp], inv = rs[img * groups + grp];
                        int off = (img * c + ch) * hw;
                        for (int p = 0; p < hw; p++) {
                            sg += gys[off + p] * (xs[off + p] - mu) * inv;
                            sb += gys[off + p];
                        }
                    }
                    if (gg != null) gg[ch] = (float) sg;
                    if (gb != null) gb[ch] = (float) sb;
                }
            });
        }
    }

    @Override
    public void conv2d(Buffer x, Buffer w, Buffer y, ConvShape s) {
        CpuConv.forward(d(x), d(w), d(y), s, par);
    }

    @Override
    public void conv2dBackwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
        CpuConv.backwardData(d(gy), d(w), d(gx), s, par);
    }

    @Override
    public void conv2dBackwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
        CpuConv.backwardFilter(d(x), d(gy), d(gw), s, par);
    }

    @Override
    public void avgPool2d(Buffer x, Buffer y, int planes, int h, int w, int k) {
        float[] xs = d(x), ys = d(y);
        int oh = h / k, ow = w / k;
        float scale = 1f / (k * k);
        par.forRange(planes, Math.max(1, GRAIN / Math.max(1, h * w)), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        float s = 0;
                        for (int a = 0; a < k; a++) {
                            int row = p * h * w + (r * k + a) * w + q * k;
                            for (int b = 0; b < k; b++) s += xs[row + b];
                        }
                        ys[p * oh * ow + r * ow + q] = s * scale;
                    }
                }
            }
        });
    }

    @Override
    public void avgPool2dBackward(Buffer gy, Buffer gx, int planes, int h, int w, int k) {
        float[] gys = d(gy), gxs = d(gx);
        int oh = h / k, ow = w / k;
        float scale = 1f / (k * k);
        par.forRange(planes, Math.max(1, GRAIN / Math.max(1, h * w)), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                for (int r = 0; r < h; r++) {
                    for (int q = 0; q < w; q++) {
                        int rr = r / k, qq = q / k;
                        gxs[p * h * w + r * w + q] = (rr < oh && qq < ow) ? gys[p * oh * ow + rr * ow + qq] * scale : 0f;
                    }
                }
            }
        });
    }

    @Override
    public void upsampleNearest(Buffer x, Buffer y, int planes, int h, int w, int factor) {
        float[] xs = d(x), ys = d(y);
        int oh = h * factor, ow = w * factor;
        par.forRange(planes, Math.max(1, GRAIN / Math.max(1, oh * ow)), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                for (int r = 0; r < oh; r++) {
                    int src = p * h * w + (r / factor) * w, dst = p * oh * ow + r * ow;
                    for (int q = 0; q < ow; q++) ys[dst + q] = xs[src + q / factor];
                }
            }
        });
    }

    @Override
    public void upsampleNearestBackward(Buffer gy, Buffer gx, int planes, int h, int w, int factor) {
        float[] gys = d(gy), gxs = d(gx);
        int oh = h * factor, ow = w * factor;
        par.forRange(planes, Math.max(1, GRAIN / Math.max(1, oh * ow)), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                for (int r = 0; r < h; r++) {
                    for (int q = 0; q < w; q++) {
                        float s = 0;
                        for (int a = 0; a < factor; a++) {
                            int row = p * oh * ow + (r * factor + a) * ow + q * factor;
                            for (int b = 0; b < factor; b++) s += gys[row + b];
                        }
                        gxs[p * h * w + r * w + q] = s;
                    }
                }
            }
        });
    }

    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, Buffer lse, int batchHeads, int seq, int headDim,
                          float scale) {
        CpuAttention.forward(d(q), d(k), d(v), d(out), d(lse), batchHeads, seq, headDim, scale, par);
    }

    @Override
    public void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer out, Buffer lse, Buffer gOut,
                                  Buffer gq, Buffer gk, Buffer gv, int batchHeads, int seq, int headDim, float scale) {
        CpuAttention.backward(d(q), d(k), d(v), d(out), d(lse), d(gOut), d(gq), d(gk), d(gv),
                batchHeads, seq, headDim, scale, par);
    }

    @Override
    public void mse(Buffer a, Buffer b, Buffer out, long n) {
        float[] as = d(a), bs = d(b);
        int len = i(n);
        double s = 0;
        for (int k = 0; k < len; k++) {
            double t = as[k] - bs[k];
            s += t * t;
        }
        d(out)[0] = (float) (s / len);
    }

    @Override
    public void mseBackward(Buffer a, Buffer b, Buffer gOut, Buffer ga, long n) {
        float[] as = d(a), bs = d(b), gs = d(ga);
        float scale = 2f * d(gOut)[0] / n;
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) gs[k] = scale * (as[k] - bs[k]);
        });
    }

    // ---------------------------------------------------------------- fused flow-matching kernels

    @Override
    public void reparameterize(Buffer mu, Buffer logvar, Buffer eps, Buffer z, long n) {
        float[] m = d(mu), lv = d(logvar), e = d(eps), zs = d(z);
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) zs[k] = m[k] + (float) Math.exp(0.5f * lv[k]) * e[k];
        });
    }

    @Override
    public void reparameterizeBackward(Buffer logvar, Buffer eps, Buffer gz, Buffer gMu, Buffer gLogvar, long n) {
        float[] lv = d(logvar), e = d(eps), g = d(gz), gm = d(gMu), gl = d(gLogvar);
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                gm[k] = g[k];
                gl[k] = g[k] * 0.5f * (float) Math.exp(0.5f * lv[k]) * e[k];
            }
        });
    }

    @Override
    public void gaussianKl(Buffer mu, Buffer logvar, Buffer kl, int rows, int cols) {
        float[] m = d(mu), lv = d(logvar), out = d(kl);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                double s = 0;
                for (int q = r * cols; q < (r + 1) * cols; q++) {
                    s += 1.0 + lv[q] - (double) m[q] * m[q] - Math.exp(lv[q]);
                }
                out[r] = (float) (-0.5 * s);
            }
        });
    }

    @Override
    public void gaussianKlBackward(Buffer mu, Buffer logvar, Buffer gKl, Buffer gMu, Buffer gLogvar, int rows, int cols) {
        float[] m = d(mu), lv = d(logvar), g = d(gKl), gm = d(gMu), gl = d(gLogvar);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                for (int q = r * cols; q < (r + 1) * cols; q++) {
                    gm[q] = g[r] * m[q];
                    gl[q] = g[r] * 0.5f * ((float) Math.exp(lv[q]) - 1f);
                }
            }
        });
    }

    @Override
    public void interpolate(Buffer x0, Buffer x1, Buffer t, Buffer xt, Buffer target, int rows, int cols) {
        float[] a = d(x0), b = d(x1), ts = d(t), xo = d(xt), to = d(target);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                float tt = ts[r];
                for (int q = r * cols; q < (r + 1) * cols; q++) {
                    xo[q] = (1f - tt) * a[q] + tt * b[q];
                    to[q] = b[q] - a[q];
                }
            }
        });
    }

    @Override
    public void eulerStep(Buffer x, Buffer v, float dt, Buffer noise, float noiseScale, long n) {
        float[] xs = d(x), vs = d(v), ns = d(noise);
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            if (ns == null) {
                for (int k = lo; k < hi; k++) xs[k] += dt * vs[k];
            } else {
                for (int k = lo; k < hi; k++) xs[k] += dt * vs[k] + noiseScale * ns[k];
            }
        });
    }

    @Override
    public void adamwStep(Buffer param, Buffer grad, Buffer m, Buffer v, long n,
                          float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        float[] p = d(param), g = d(grad), ms = d(m), vs = d(v);
        float bc1 = (float) (1.0 - Math.pow(beta1, step));
        float bc2 = (float) (1.0 - Math.pow(beta2, step));
        par.forRange(i(n), GRAIN, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                float gk = g[k];
                float mk = beta1 * ms[k] + (1f - beta1) * gk;
                float vk = beta2 * vs[k] + (1f - beta2) * gk * gk;
                ms[k] = mk;
                vs[k] = vk;
                float mHat = mk / bc1, vHat = vk / bc2;
                p[k] -= lr * (weightDecay * p[k] + mHat / ((float) Math.sqrt(vHat) + eps));
            }
        });
    }

    @Override
    public void close() {
        par.shutdown();
    }
}
