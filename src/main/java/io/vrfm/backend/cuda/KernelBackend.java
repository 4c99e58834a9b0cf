package io.vrfm.backend.cuda;

import io.vrfm.backend.Backend;
import io.vrfm.backend.BinaryOp;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import io.vrfm.backend.ReduceOp;
import io.vrfm.backend.UnaryOp;

import java.util.Arrays;

/**
 * The {@link Backend} contract on a {@link Device} running the hand-written kernels of {@code kernels/*.cu}:
 * every launch shape, argument list and workspace lives here, once. {@link CudaBackend} adds cuBLAS / cuDNN
 * paths on top; the tests run this class unchanged on the host-emulation device.
 *
 * <p>Launch shapes (they match the comments in the {@code .cu} files): element-wise kernels use blocks of
 * {@value #BLOCK} threads and a grid of {@code min(ceil(n/256), 65535)} blocks with a grid-stride loop; row
 * kernels (norms, softmax, KL, row reductions) use one block of {@value #BLOCK} threads per row or group; the
 * GEMM uses 16×16 threads per 64×64 tile, or per 128×128 tile for large products.
 */
public class KernelBackend implements Backend {
    static final int BLOCK = 256;
    static final int MAX_GRID = 65535;
    static final int MAX_RANK = 8;
    /** Upper bound for the im2col workspace of the conv fallback (floats). */
    static final long COL_LIMIT = 64L << 20;

    protected final Device device;
    protected final DeviceAllocator allocator;
    private final String name;
    private boolean closed;

    @Override
    public String name() {
        return name;
    }

    public KernelBackend(Device device, String name) {
        this.device = device;
        this.allocator = new DeviceAllocator(device);
        this.name = name;
    }

    public Device device() {
        return device;
    }

    @Override
    public String describe() {
        return device.describe() + "; gemm: hand-written tiled SGEMM kernel; conv: im2col + SGEMM kernel";
    }

    /** Allocator statistics (device mallocs vs requests). */
    public String allocatorStats() {
        return allocator.stats();
    }

    long deviceMallocs() {
        return allocator.deviceMallocs();
    }

    /** Device blocks in use now (for tests of buffer lifetime). */
    long liveBuffers() {
        return allocator.liveBlocks();
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Cap on 1-D grids and on the GEMM's batch grid (z). The kernels loop (grid-stride, batch-stride) past it;
     * tests lower it so those loops run more than once.
     */
    int maxGrid = MAX_GRID;

    int grid1(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, maxGrid));
    }

    /**
     * Queues {@code kernel} (an {@code extern "C"} entry of {@code kernels/*.cu}) on the device. Every launch goes
     * through here: a failure is rethrown as a {@link KernelLaunchException} naming the kernel, grid and block.
     */
    protected final void launch(String kernel, int gx, int gy, int gz, int bx, int by, int bz, Object... args) {
        launchNamed(device, kernel, gx, gy, gz, bx, by, bz, args);
    }

    /** {@link #launch} for helpers that hold only the {@link Device} (the TF32 GEMM). */
    static void launchNamed(Device device, String kernel, int gx, int gy, int gz, int bx, int by, int bz, Object... args) {
        try {
            device.launch(kernel, gx, gy, gz, bx, by, bz, args);
        } catch (KernelLaunchException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KernelLaunchException(kernel, gx, gy, gz, bx, by, bz, e);
        }
    }

    protected final void launch1d(String kernel, long n, Object... args) {
        if (n <= 0) {
            return;
        }
        launch(kernel, grid1(n), 1, 1, BLOCK, 1, 1, args);
    }

    protected final void launchRows(String kernel, int rows, Object... args) {
        if (rows <= 0) {
            return;
        }
        launch(kernel, rows, 1, 1, BLOCK, 1, 1, args);
    }

    protected final DeviceBuffer buf(Buffer b, String what) {
        if (!(b instanceof DeviceBuffer d) || d.owner != this) {
            throw new IllegalArgumentException(what + ": buffer " + b + " does not belong to backend " + name);
        }
        return d;
    }

    /** Device address of {@code b} (element 0), or 0 for null. */
    protected final long ptr(Buffer b) {
        return b == null ? 0L : buf(b, "argument").address();
    }

    protected final long ptr(Buffer b, long offset) {
        return buf(b, "argument").address(offset);
    }

    private static void need(Buffer b, long elems, String what) {
        if (b.length() < elems) {
            throw new IllegalArgumentException(what + ": buffer of " + b.length() + " floats, need " + elems);
        }
    }

    private static void range(Buffer b, long offset, long n, String what) {
        if (offset < 0 || n < 0 || offset + n > b.length()) {
            throw new IndexOutOfBoundsException(what + ": range [" + offset + ", " + (offset + n)
                    + ") outside buffer of " + b.length());
        }
    }

    /** A temporary device buffer from the pool; release it with {@link #release}. */
    protected final DeviceBuffer workspace(long floats) {
        return new DeviceBuffer(this, allocator.acquire(4L * Math.max(1, floats)), floats);
    }

    // ------------------------------------------------------------------ memory (no kernels: allocator and driver copies)

    @Override
    public Buffer allocate(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("allocate: negative size " + n);
        }
        DeviceBuffer b = new DeviceBuffer(this, allocator.acquire(4L * Math.max(1, n)), n);
        DeviceAllocator.returnOnGc(b, b.block);
        return b;
    }

    @Override
    public void release(Buffer buffer) {
        allocator.release(buf(buffer, "release").block);
    }

    @Override
    public void upload(float[] src, int srcOffset, Buffer dst, long dstOffset, int n) {
        range(dst, dstOffset, n, "upload");
        if (srcOffset < 0 || srcOffset + n > src.length) {
            throw new IndexOutOfBoundsException("upload: source range outside array of " + src.length);
        }
        if (n > 0) {
            device.upload(src, srcOffset, ptr(dst, dstOffset), n);
        }
    }

    @Override
    public void download(Buffer src, long srcOffset, float[] dst, int dstOffset, int n) {
        range(src, srcOffset, n, "download");
        if (dstOffset < 0 || dstOffset + n > dst.length) {
            throw new IndexOutOfBoundsException("download: destination range outside array of " + dst.length);
        }
        if (n > 0) {
            device.download(ptr(src, srcOffset), dst, dstOffset, n);
        }
    }

    @Override
    public void copy(Buffer src, long srcOffset, Buffer dst, long dstOffset, long n) {
        range(src, srcOffset, n, "copy");
        range(dst, dstOffset, n, "copy");
        if (n > 0) {
            device.copy(ptr(dst, dstOffset), ptr(src, srcOffset), 4L * n);
        }
    }

    @Override
    public void synchronize() {
        device.synchronize();
    }

    // ------------------------------------------------------------------ elementwise.cu

    @Override
    public void fill(Buffer dst, long offset, long n, float value) {
        range(dst, offset, n, "fill");
        launch1d("vrfm_fill", n, ptr(dst, offset), n, value);
    }

    @Override
    public void copy2d(Buffer src, long srcOffset, int srcStride, Buffer dst, long dstOffset, int dstStride,
                       int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            return;
        }
        range(src, srcOffset, (long) (rows - 1) * srcStride + cols, "copy2d");
        range(dst, dstOffset, (long) (rows - 1) * dstStride + cols, "copy2d");
        launch1d("vrfm_copy2d", (long) rows * cols, ptr(src, srcOffset), srcStride, ptr(dst, dstOffset), dstStride,
                rows, cols);
    }

    @Override
    public void unary(UnaryOp op, Buffer x, Buffer y, long n, float p0, float p1) {
        need(x, n, "unary " + op);
        need(y, n, "unary " + op);
        launch1d("vrfm_unary_fwd", n, op.ordinal(), ptr(x), ptr(y), n, p0, p1);
    }

    @Override
    public void unaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, long n, float p0, float p1) {
        need(x, n, "unaryBackward " + op);
        need(gy, n, "unaryBackward " + op);
        need(gx, n, "unaryBackward " + op);
        long yp = y == null ? ptr(x) : ptr(y); // rules that need y only read it; pass x when absent
        launch1d("vrfm_unary_bwd", n, op.ordinal(), ptr(x), yp, ptr(gy), ptr(gx), n, p0, p1);
    }

    @Override
    public void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape) {
        int rank = outShape.length;
        if (aStrides.length != rank || bStrides.length != rank) {
            throw new IllegalArgumentException("binary " + op + ": stride ranks " + aStrides.length + "/"
                    + bStrides.length + " vs shape " + Arrays.toString(outShape));
        }
        long n = 1;
        for (int d : outShape) {
            n *= d;
        }
        if (n == 0) {
            return;
        }
        need(out, n, "binary " + op);
        int[] contiguous = contiguousStrides(outShape);
        if (sameStrides(aStrides, contiguous, outShape) && sameStrides(bStrides, contiguous, outShape)) {
            need(a, n, "binary " + op);
            need(b, n, "binary " + op);
            launch1d("vrfm_binary_same", n, op.ordinal(), ptr(a), ptr(b), ptr(out), n);
            return;
        }
        int[][] c = collapse(outShape, aStrides, bStrides);
        if (c[0].length > MAX_RANK) {
            throw new IllegalArgumentException("binary " + op + ": broadcast of rank " + c[0].length
                    + " after collapsing exceeds " + MAX_RANK + ": shape " + Arrays.toString(outShape));
        }
        launch1d("vrfm_binary_bcast", n, op.ordinal(), ptr(a), ptr(b), ptr(out), n, desc(c[0], c[1], c[2]));
    }

    static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    private static boolean sameStrides(int[] s, int[] contiguous, int[] shape) {
        for (int i = 0; i < s.length; i++) {
            if (shape[i] != 1 && s[i] != contiguous[i]) {
                return false;
            }
        }
        return true;
    }

    /** Drops size-1 axes and merges neighbours that are contiguous in both operands: {shape, sa, sb}. */
    static int[][] collapse(int[] shape, int[] sa, int[] sb) {
        int[] s = new int[shape.length], a = new int[shape.length], b = new int[shape.length];
        int r = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) {
                continue;
            }
            if (r > 0 && a[r - 1] == sa[i] * shape[i] && b[r - 1] == sb[i] * shape[i]) {
                s[r - 1] *= shape[i];
                a[r - 1] = sa[i];
                b[r - 1] = sb[i];
            } else {
                s[r] = shape[i];
                a[r] = sa[i];
                b[r] = sb[i];
                r++;
            }
        }
        return new int[][] {Arrays.copyOf(s, r), Arrays.copyOf(a, r), Arrays.copyOf(b, r)};
    }

    /** The {@code VrfmDesc} struct of common.cuh: rank, shape[8], sa[8], sb[8]. */
    static int[] desc(int[] shape, int[] sa, int[] sb) {
        int[] d = new int[1 + 3 * MAX_RANK];
        d[0] = shape.length;
        for (int i = 0; i < shape.length; i++) {
            d[1 + i] = shape[i];
            d[1 + MAX_RANK + i] = sa[i];
            d[1 + 2 * MAX_RANK + i] = sb == null ? 0 : sb[i];
        }
        return d;
    }

    // ------------------------------------------------------------------ reduce.cu

    @Override
    public void reduce(ReduceOp op, Buffer x, int outer, int n, int inner, Buffer out) {
        long total = (long) outer * n * inner;
        need(x, total, "reduce");
        need(out, (long) outer * inner, "reduce");
        if ((long) outer * inner == 0) {
            return;
        }
        if (n == 0) {
            fill(out, 0, (long) outer * inner, op == ReduceOp.SUM ? 0f : Float.NEGATIVE_INFINITY);
            return;
        }
        if (inner == 1 && outer == 1 && op == ReduceOp.SUM && n >= (1 << 16)) {
            sum(x, n, 1f, out); // one long row: the two-stage sum spreads it over many blocks
        } else if (inner == 1 && n > 64) {
            launchRows("vrfm_reduce_rows", outer, op.ordinal(), ptr(x), ptr(out), outer, n);
        } else if (n >= CHUNK_ROWS && (long) outer * inner <= 8192 && outer <= MAX_GRID) {
            // few outputs, many rows: chunk the rows over blocks, then reduce the chunks
            int chunks = (int) Math.min((n + CHUNK_ROWS - 1) / CHUNK_ROWS, 1024);
            int chunk = (n + chunks - 1) / chunks;
            DeviceBuffer partial = workspace((long) outer * chunks * inner);
            try {
                launch("vrfm_reduce_cols_chunked", (inner + 31) / 32, chunks, outer, 32, 8, 1,
                        op.ordinal(), ptr(x), partial.address(), outer, n, inner, chunk);
                launch1d("vrfm_reduce_cols", (long) outer * inner, op.ordinal(), partial.address(), ptr(out),
                        outer, chunks, inner);
            } finally {
                allocator.release(partial.block);
            }
        } else { // one thread per output (also short rows: a block per row of a few elements would idle)
            launch1d("vrfm_reduce_cols", (long) outer * inner, op.ordinal(), ptr(x), ptr(out), outer, n, inner);
        }
    }

    /** Rows per chunk in the chunked column reductions (reduce, layer-norm parameter gradients). */
    static final int CHUNK_ROWS = 64;

    /** {@code out[0] = scale · Σ x[0..n)} (two-stage, deterministic). */
    public void sum(Buffer x, long n, float scale, Buffer out) {
        need(x, n, "sum");
        int g = (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, 1024));
        DeviceBuffer partial = workspace(g);
        try {
            launch("vrfm_sum_partial", g, 1, 1, BLOCK, 1, 1, ptr(x), partial.address(), n, scale);
            launch("vrfm_sum_final", 1, 1, 1, BLOCK, 1, 1, partial.address(), ptr(out), g);
        } finally {
            allocator.release(partial.block);
        }
    }

    // ------------------------------------------------------------------ random.cu

    @Override
    public void randomUniform(Buffer dst, long n, long seed, long counter) {
        need(dst, n, "randomUniform");
        launch1d("vrfm_random_uniform", n, ptr(dst), n, seed, counter);
    }

    @Override
    public void randomNormal(Buffer dst, long n, long seed, long counter) {
        need(dst, n, "randomNormal");
        launch1d("vrfm_random_normal", n, ptr(dst), n, seed, counter);
    }

    /** {@code dst[i] = Float.intBitsToFloat(Philox.bits(seed, counter + i))} (a test hook for exact parity). */
    public void randomBits(Buffer dst, long n, long seed, long counter) {
        need(dst, n, "randomBits");
        launch1d("vrfm_random_bits", n, ptr(dst), n, seed, counter);
    }

    // ------------------------------------------------------------------ norm.cu

    @Override
    public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                          int rows, int cols, float eps) {
        need(x, (long) rows * cols, "layerNorm");
        need(y, (long) rows * cols, "layerNorm");
        need(mean, rows, "layerNorm mean");
        need(rstd, rows, "layerNorm rstd");
        launchRows("vrfm_layernorm_fwd", rows, ptr(x), ptr(gamma), ptr(beta), ptr(y), ptr(mean), ptr(rstd),
                rows, cols, eps);
    }

    @Override
    public void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int rows, int cols) {
        need(x, (long) rows * cols, "layerNormBackward");
        if (gx != null) {
            launchRows("vrfm_layernorm_bwd", rows, ptr(x), ptr(gamma), ptr(mean), ptr(rstd), ptr(gy), ptr(gx),
                    rows, cols);
        }
        if (gGamma != null || gBeta != null) {
            int chunks = (int) Math.max(1, Math.min((rows + CHUNK_ROWS - 1) / CHUNK_ROWS, 1024));
            int chunk = (rows + chunks - 1) / chunks;
            DeviceBuffer partial = workspace(2L * chunks * cols);
            try {
                long pg = partial.address(), pb = partial.address((long) chunks * cols);
                launch("vrfm_layernorm_bwd_params_partial", (cols + 31) / 32, chunks, 1, 32, 8, 1,
                        ptr(x), ptr(mean), ptr(rstd), ptr(gy), pg, pb, rows, cols, chunk);
                if (gGamma != null) {
                    launch1d("vrfm_reduce_cols", cols, 0, pg, ptr(gGamma), 1, chunks, cols);
                }
                if (gBeta != null) {
                    launch1d("vrfm_reduce_cols", cols, 0, pb, ptr(gBeta), 1, chunks, cols);
                }
            } finally {
                allocator.release(partial.block);
            }
        }
    }

    @Override
    public void groupNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                          int n, int c, int hw, int groups, float eps) {
        checkGroups(c, groups);
        need(x, (long) n * c * hw, "groupNorm");
        need(y, (long) n * c * hw, "groupNorm");
        need(mean, (long) n * groups, "groupNorm mean");
        launchRows("vrfm_groupnorm_fwd", n * groups, ptr(x), ptr(gamma), ptr(beta), ptr(y), ptr(mean), ptr(rstd),
                n, c, hw, groups, eps);
    }

    @Override
    public void groupNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, int groups) {
        checkGroups(c, groups);
        need(x, (long) n * c * hw, "groupNormBackward");
        if (gx != null) {
            launchRows("vrfm_groupnorm_bwd", n * groups, ptr(x), ptr(gamma), ptr(mean), ptr(rstd), ptr(gy), ptr(gx),
                    n, c, hw, groups);
        }
        if (gGamma != null || gBeta != null) {
            launchRows("vrfm_groupnorm_bwd_params", c, ptr(x), ptr(mean), ptr(rstd), ptr(gy), ptr(gGamma), ptr(gBeta),
                    n, c, hw, groups);
        }
    }

    private static void checkGroups(int c, int groups) {
        if (groups <= 0 || c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + c + " channels not divisible into " + groups + " groups");
        }
    }

    // ------------------------------------------------------------------ softmax.cu

    @Override
    public void softmax(Buffer x, Buffer y, int rows, int cols, boolean log) {
        need(x, (long) rows * cols, "softmax");
        need(y, (long) rows * cols, "softmax");
        launchRows("vrfm_softmax_fwd", rows, ptr(x), ptr(y), rows, cols, log ? 1 : 0);
    }

    @Override
    public void softmaxBackward(Buffer y, Buffer gy, Buffer gx, int rows, int cols, boolean log) {
        need(y, (long) rows * cols, "softmaxBackward");
        launchRows("vrfm_softmax_bwd", rows, ptr(y), ptr(gy), ptr(gx), rows, cols, log ? 1 : 0);
    }

    // ------------------------------------------------------------------ embed.cu

    @Override
    public void gatherRows(Buffer table, int rows, int cols, Buffer index, int count, Buffer out) {
        need(table, (long) rows * cols, "gatherRows");
        need(index, count, "gatherRows");
        need(out, (long) count * cols, "gatherRows");
        launch1d("vrfm_gather_rows", (long) count * cols, ptr(table), rows, cols, ptr(index), count, ptr(out));
    }

    @Override
    public void scatterAddRows(Buffer gOut, Buffer index, int count, int cols, Buffer gTable) {
        need(gOut, (long) count * cols, "scatterAddRows");
        need(index, count, "scatterAddRows");
        int rows = cols == 0 ? 0 : (int) (gTable.length() / cols);
        launch1d("vrfm_scatter_add_rows", (long) count * cols, ptr(gOut), ptr(index), count, cols, ptr(gTable), rows);
    }

    // ------------------------------------------------------------------ im2col.cu (convolution fallback, pooling, upsampling, permute)

    @Override
    public void conv2d(Buffer x, Buffer w, Buffer y, ConvShape s) {
        need(x, s.inputSize(), "conv2d x");
        need(w, s.weightSize(), "conv2d w");
        need(y, s.outputSize(), "conv2d y");
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        long inImg = (long) s.c() * s.h() * s.w(), outImg = (long) s.k() * ohw, colImg = (long) crs * ohw;
        int chunk = (int) Math.max(1, Math.min(s.n(), COL_LIMIT / Math.max(1, colImg)));
        DeviceBuffer col = workspace(colImg * chunk);
        try {
            for (int n0 = 0; n0 < s.n(); n0 += chunk) {
                int nb = Math.min(chunk, s.n() - n0);
                for (int i = 0; i < nb; i++) {
                    im2col(ptr(x, (n0 + i) * inImg), col.address(i * colImg), s, colImg);
                }
                // y_i [k, ohw] = W [k, crs] * col_i [crs, ohw]
                gemmRaw(false, false, s.k(), ohw, crs, 1f, ptr(w), crs, 0, col.address(), ohw, colImg,
                        0f, ptr(y, n0 * outImg), outImg, nb);
            }
        } finally {
            allocator.release(col.block);
        }
    }

    @Override
    public void conv2dBackwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
        need(gy, s.outputSize(), "conv2dBackwardData gy");
        need(w, s.weightSize(), "conv2dBackwardData w");
        need(gx, s.inputSize(), "conv2dBackwardData gx");
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        long inImg = (long) s.c() * s.h() * s.w(), outImg = (long) s.k() * ohw, colImg = (long) crs * ohw;
        int chunk = (int) Math.max(1, Math.min(s.n(), COL_LIMIT / Math.max(1, colImg)));
        DeviceBuffer col = workspace(colImg * chunk);
        try {
            for (int n0 = 0; n0 < s.n(); n0 += chunk) {
                int nb = Math.min(chunk, s.n() - n0);
                // col_i [crs, ohw] = W^T [crs, k] * gy_i [k, ohw]
                gemmRaw(true, false, crs, ohw, s.k(), 1f, ptr(w), crs, 0, ptr(gy, n0 * outImg), ohw, outImg,
                        0f, col.address(), colImg, nb);
                for (int i = 0; i < nb; i++) {
                    launch1d("vrfm_col2im", inImg, col.address(i * colImg), ptr(gx, (n0 + i) * inImg),
                            s.c(), s.h(), s.w(), s.r(), s.s(), s.stride(), s.pad(), s.outH(), s.outW());
                }
            }
        } finally {
            allocator.release(col.block);
        }
    }

    @Override
    public void conv2dBackwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
        need(x, s.inputSize(), "conv2dBackwardFilter x");
        need(gy, s.outputSize(), "conv2dBackwardFilter gy");
        need(gw, s.weightSize(), "conv2dBackwardFilter gw");
        int crs = s.c() * s.r() * s.s(), ohw = s.outH() * s.outW();
        long inImg = (long) s.c() * s.h() * s.w(), outImg = (long) s.k() * ohw, colImg = (long) crs * ohw;
        DeviceBuffer col = workspace(colImg);
        try {
            for (int i = 0; i < s.n(); i++) {
                im2col(ptr(x, i * inImg), col.address(), s, colImg);
                // gw [k, crs] (+)= gy_i [k, ohw] * col_i^T [ohw, crs]
                gemmRaw(false, true, s.k(), crs, ohw, 1f, ptr(gy, i * outImg), ohw, 0, col.address(), ohw, 0,
                        i == 0 ? 0f : 1f, ptr(gw), 0, 1);
            }
        } finally {
            allocator.release(col.block);
        }
    }

    private void im2col(long xImg, long col, ConvShape s, long colImg) {
        launch1d("vrfm_im2col", colImg, xImg, col, s.c(), s.h(), s.w(), s.r(), s.s(), s.stride(), s.pad(),
                s.outH(), s.outW());
    }

    @Override
    public void avgPool2d(Buffer x, Buffer y, int planes, int h, int w, int k) {
        need(x, (long) planes * h * w, "avgPool2d");
        need(y, (long) planes * (h / k) * (w / k), "avgPool2d");
        launch1d("vrfm_avgpool_fwd", (long) planes * (h / k) * (w / k), ptr(x), ptr(y), planes, h, w, k);
    }

    @Override
    public void avgPool2dBackward(Buffer gy, Buffer gx, int planes, int h, int w, int k) {
        need(gx, (long) planes * h * w, "avgPool2dBackward");
        launch1d("vrfm_avgpool_bwd", (long) planes * h * w, ptr(gy), ptr(gx), planes, h, w, k);
    }

    @Override
    public void upsampleNearest(Buffer x, Buffer y, int planes, int h, int w, int factor) {
        long n = (long) planes * h * factor * w * factor;
        need(y, n, "upsampleNearest");
        launch1d("vrfm_upsample_fwd", n, ptr(x), ptr(y), planes, h, w, factor);
    }

    @Override
    public void upsampleNearestBackward(Buffer gy, Buffer gx, int planes, int h, int w, int factor) {
        need(gx, (long) planes * h * w, "upsampleNearestBackward");
        launch1d("vrfm_upsample_bwd", (long) planes * h * w, ptr(gy), ptr(gx), planes, h, w, factor);
    }

    @Override
    public void permute(Buffer x, int[] shape, int[] perm, Buffer y) {
        int rank = shape.length;
        if (perm.length != rank) {
            throw new IllegalArgumentException("permute: perm " + Arrays.toString(perm) + " vs shape " + Arrays.toString(shape));
        }
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        need(x, n, "permute");
        need(y, n, "permute");
        if (n == 0) {
            return;
        }
        int[] inStrides = contiguousStrides(shape);
        int[] outShape = new int[rank], sa = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) {
                throw new IllegalArgumentException("permute: not a permutation " + Arrays.toString(perm));
            }
            seen[perm[i]] = true;
            outShape[i] = shape[perm[i]];
            sa[i] = inStrides[perm[i]];
        }
        int[] zeros = new int[rank];
        int[][] c = collapse(outShape, sa, zeros);
        if (c[0].length > MAX_RANK) {
            throw new IllegalArgumentException("permute: rank " + c[0].length + " after collapsing exceeds " + MAX_RANK);
        }
        launch1d("vrfm_permute", n, ptr(x), ptr(y), n, desc(c[0], c[1], null));
    }

    // ------------------------------------------------------------------ gemm.cu

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buffer a, long aOffset, int lda, long strideA,
                     Buffer b, long bOffset, int ldb, long strideB,
                     float beta, Buffer c, long cOffset, long strideC, int batch) {
        if (m <= 0 || n <= 0 || batch <= 0) {
            return;
        }
        checkGemm(transA, transB, m, n, k, a, aOffset, lda, strideA, b, bOffset, ldb, strideB, c, cOffset, strideC, batch);
        gemmRaw(transA, transB, m, n, k, alpha, ptr(a, aOffset), lda, strideA, ptr(b, bOffset), ldb, strideB,
                beta, ptr(c, cOffset), strideC, batch);
    }

    static void checkGemm(boolean transA, boolean transB, int m, int n, int k,
                          Buffer a, long aOffset, int lda, long strideA, Buffer b, long bOffset, int ldb, long strideB,
                          Buffer c, long cOffset, long strideC, int batch) {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (k > 0 && (lda < aCols || ldb < bCols)) {
            throw new IllegalArgumentException("gemm: lda " + lda + " / ldb " + ldb + " smaller than rows of "
                    + aCols + " / " + bCols);
        }
        long last = batch - 1L;
        if (k > 0) {
            range(a, aOffset + last * strideA, (long) (aRows - 1) * lda + aCols, "gemm A");
            range(b, bOffset + last * strideB, (long) (bRows - 1) * ldb + bCols, "gemm B");
        }
        range(c, cOffset + last * strideC, (long) m * n, "gemm C");
    }

    /**
     * Products with at least this many outputs ({@code m·n·batch}) use the 128×128-tile kernel
     * ({@code vrfm_sgemm_big}); smaller ones the 64×64-tile kernel, which fills more SMs. Tests lower it.
     */
    long gemmBigTileMin = 1L << 20;

    /** The hand-written SGEMM on raw addresses (also the conv fallback's GEMM). */
    protected final void gemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                    long a, int lda, long strideA, long b, int ldb, long strideB,
                                    float beta, long c, long strideC, int batch) {
        boolean big = (long) m * n * batch >= gemmBigTileMin;
        int tile = big ? 128 : 64;
        int gx = (n + tile - 1) / tile, gy = (m + tile - 1) / tile, gz = Math.min(batch, maxGrid);
        if (gy > MAX_GRID) {
            throw new IllegalArgumentException("gemm: m = " + m + " exceeds the kernel grid (" + (long) tile * MAX_GRID + ")");
        }
        launch(big ? "vrfm_sgemm_big" : "vrfm_sgemm", gx, gy, gz, 16, 16, 1, transA ? 1 : 0, transB ? 1 : 0,
                m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, strideC, batch);
    }

    /** GEMM on raw addresses (public gemm and the conv fallback); {@link CudaBackend} routes it to cuBLAS when loaded. */
    protected void gemmRaw(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           long a, int lda, long strideA, long b, int ldb, long strideB,
                           float beta, long c, long strideC, int batch) {
        gemmKernel(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, strideC, batch);
    }

    // ------------------------------------------------------------------ adam.cu

    @Override
    public void adamwStep(Buffer param, Buffer grad, Buffer m, Buffer v, long n,
                          float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        need(param, n, "adamwStep");
        if (step < 1) {
            throw new IllegalArgumentException("adamwStep: step counts from 1, got " + step);
        }
        float bc1 = (float) (1.0 - Math.pow(beta1, step));
        float bc2 = (float) (1.0 - Math.pow(beta2, step));
        launch1d("vrfm_adamw_step", n, ptr(param), ptr(grad), ptr(m), ptr(v), n, lr, beta1, beta2, eps, weightDecay,
                bc1, bc2);
    }

    // ------------------------------------------------------------------ attention.cu (fused attention)

    /** Largest head dimension {@code kernels/attention.cu} supports ({@code VRFM_ATT_MAX_D}). */
    static final int ATTENTION_MAX_HEAD_DIM = 128;
    /** Query (or key) rows per block of the attention kernels: one warp each ({@code VRFM_ATT_ROWS}). */
    static final int ATTENTION_ROWS = 8;

    private static void checkAttention(String what, int batchHeads, int seq, int headDim, Buffer... bufs) {
        if (headDim > ATTENTION_MAX_HEAD_DIM) {
            throw new IllegalArgumentException(what + ": head dimension " + headDim + " exceeds the CUDA kernel's "
                    + ATTENTION_MAX_HEAD_DIM + "; use more heads");
        }
        if (batchHeads > MAX_GRID) {
            throw new IllegalArgumentException(what + ": " + batchHeads + " batch×head slices exceed the grid limit "
                    + MAX_GRID + "; split the batch");
        }
        long n = (long) batchHeads * seq * headDim;
        for (Buffer b : bufs) {
            need(b, n, what);
        }
    }

    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, Buffer lse, int batchHeads, int seq, int headDim,
                          float scale) {
        checkAttention("attention", batchHeads, seq, headDim, q, k, v, out);
        need(lse, (long) batchHeads * seq, "attention");
        if (batchHeads == 0 || seq == 0 || headDim == 0) {
            return;
        }
        launch("vrfm_attention_fwd", (seq + ATTENTION_ROWS - 1) / ATTENTION_ROWS, batchHeads, 1,
                32 * ATTENTION_ROWS, 1, 1, ptr(q), ptr(k), ptr(v), ptr(out), ptr(lse), batchHeads, seq, headDim, scale);
    }

    @Override
    public void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer out, Buffer lse, Buffer gOut,
                                  Buffer gq, Buffer gk, Buffer gv, int batchHeads, int seq, int headDim, float scale) {
        checkAttention("attentionBackward", batchHeads, seq, headDim, q, k, v, out, gOut, gq, gk, gv);
        need(lse, (long) batchHeads * seq, "attentionBackward");
        if (batchHeads == 0 || seq == 0 || headDim == 0) {
            return;
        }
        int gx = (seq + ATTENTION_ROWS - 1) / ATTENTION_ROWS;
        DeviceBuffer dsum = workspace((long) batchHeads * seq);
        try {
            launch("vrfm_attention_bwd_dq", gx, batchHeads, 1, 32 * ATTENTION_ROWS, 1, 1,
                    ptr(q), ptr(k), ptr(v), ptr(out), ptr(lse), ptr(gOut), ptr(gq), dsum.address(),
                    batchHeads, seq, headDim, scale);
            launch("vrfm_attention_bwd_dkdv", gx, batchHeads, 1, 32 * ATTENTION_ROWS, 1, 1,
                    ptr(q), ptr(k), ptr(v), ptr(lse), ptr(gOut), dsum.address(), ptr(gk), ptr(gv),
                    batchHeads, seq, headDim, scale);
        } finally {
            allocator.release(dsum.block);
        }
    }

    // ------------------------------------------------------------------ flow.cu (fused flow-matching kernels and the MSE loss)

    @Override
    public void mse(Buffer a, Buffer b, Buffer out, long n) {
        need(a, n, "mse");
        need(b, n, "mse");
        if (n == 0) {
            fill(out, 0, 1, Float.NaN);
            return;
        }
        int g = (int) Math.min((n + BLOCK - 1) / BLOCK, 1024);
        DeviceBuffer partial = workspace(g);
        try {
            launch("vrfm_mse_partial", g, 1, 1, BLOCK, 1, 1, ptr(a), ptr(b), partial.address(), n);
            launch("vrfm_sum_final", 1, 1, 1, BLOCK, 1, 1, partial.address(), ptr(out), g);
        } finally {
            allocator.release(partial.block);
        }
    }

    @Override
    public void mseBackward(Buffer a, Buffer b, Buffer gOut, Buffer ga, long n) {
        need(ga, n, "mseBackward");
        launch1d("vrfm_mse_bwd", n, ptr(a), ptr(b), ptr(gOut), ptr(ga), n);
    }

    @Override
    public void reparameterize(Buffer mu, Buffer logvar, Buffer eps, Buffer z, long n) {
        need(z, n, "reparameterize");
        launch1d("vrfm_reparam_fwd", n, ptr(mu), ptr(logvar), ptr(eps), ptr(z), n);
    }

    @Override
    public void reparameterizeBackward(Buffer logvar, Buffer eps, Buffer gz, Buffer gMu, Buffer gLogvar, long n) {
        need(gMu, n, "reparameterizeBackward");
        need(gLogvar, n, "reparameterizeBackward");
        launch1d("vrfm_reparam_bwd", n, ptr(logvar), ptr(eps), ptr(gz), ptr(gMu), ptr(gLogvar), n);
    }

    @Override
    public void gaussianKl(Buffer mu, Buffer logvar, Buffer kl, int rows, int cols) {
        need(mu, (long) rows * cols, "gaussianKl");
        need(kl, rows, "gaussianKl");
        launchRows("vrfm_gaussian_kl_fwd", rows, ptr(mu), ptr(logvar), ptr(kl), rows, cols);
    }

    @Override
    public void gaussianKlBackward(Buffer mu, Buffer logvar, Buffer gKl, Buffer gMu, Buffer gLogvar, int rows, int cols) {
        need(gMu, (long) rows * cols, "gaussianKlBackward");
        launch1d("vrfm_gaussian_kl_bwd", (long) rows * cols, ptr(mu), ptr(logvar), ptr(gKl), ptr(gMu), ptr(gLogvar),
                rows, cols);
    }

    @Override
    public void interpolate(Buffer x0, Buffer x1, Buffer t, Buffer xt, Buffer target, int rows, int cols) {
        need(xt, (long) rows * cols, "interpolate");
        need(t, rows, "interpolate t");
        launch1d("vrfm_interpolate", (long) rows * cols, ptr(x0), ptr(x1), ptr(t), ptr(xt), ptr(target), rows, cols);
    }

    @Override
    public void eulerStep(Buffer x, Buffer v, float dt, Buffer noise, float noiseScale, long n) {
        need(x, n, "eulerStep");
        need(v, n, "eulerStep");
        launch1d("vrfm_euler_step", n, ptr(x), ptr(v), dt, ptr(noise), noiseScale, n);
    }

    // ------------------------------------------------------------------ lifetime

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            device.synchronize();
            allocator.emptyCache();
        } finally {
            device.close();
        }
    }
}
