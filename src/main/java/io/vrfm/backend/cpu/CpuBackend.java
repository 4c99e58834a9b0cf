package io.vrfm.backend.cpu;

import io.vrfm.backend.Backend;
import io.vrfm.backend.BinaryOp;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import io.vrfm.backend.ReduceOp;
import io.vrfm.backend.UnaryOp;

import static io.vrfm.backend.cpu.CpuBuffer.d;
import static io.vrfm.backend.cpu.CpuBuffer.i;

/**
 * The reference backend: every primitive in plain Java over {@code float[]}, split across all cores above a
 * size threshold. The CUDA backend is tested against it.
 *
 * <p>This class owns memory and threads; each primitive is one line that delegates to the CPU twin of its CUDA
 * kernel family, named after {@code kernels/<family>.cu}: {@link CpuElementwise}, {@link CpuReduce},
 * {@link CpuRandom}, {@link CpuGemm} (over {@link Sgemm}), {@link CpuIm2col} and {@link CpuConv}, {@link CpuEmbed},
 * {@link CpuSoftmax}, {@link CpuNorm}, {@link CpuFlow}, {@link CpuAdam}.
 */
public final class CpuBackend implements Backend {

    /**
     * Element count below which a loop stays on the calling thread. 8192 since helpers spin between regions (a
     * region then costs a few µs, not a wake-up): 2–3% off the 2-D V-RFM step against 32768 (same-JVM
     * alternation, 20 rounds, twice). No result depends on it: every split is at element or fixed-block bounds.
     */
    static final int GRAIN = 1 << 13;

    private final CpuParallel par;
    private final CpuParallel serial = new CpuParallel(1);
    private final java.util.concurrent.atomic.LongAdder gemmFlops = new java.util.concurrent.atomic.LongAdder();
    private final ConvTimes convTimes = new ConvTimes();

    /**
     * Released buffers kept for reuse (see {@link CpuBufferPool}); null when reuse is off. On by default, holding up
     * to three quarters of the maximum heap, softly (the collector reclaims them when the heap runs short);
     * {@code -Dvrfm.cpu.pool=false} turns it off, {@code -Dvrfm.cpu.poison=true} fills released buffers with NaN (to
     * find a use after release).
     */
    private final CpuBufferPool pool;

    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuBackend(int threads) {
        this(threads, !"false".equals(System.getProperty("vrfm.cpu.pool")), Boolean.getBoolean("vrfm.cpu.poison"));
    }

    /**
     * A backend with {@code threads} workers; {@code reuseBuffers} keeps released buffers (those of a closed
     * {@code TensorScope}) for later allocations of the same size, {@code poisonReleased} fills them with NaN when
     * released (tests: a buffer used after its release then poisons the result).
     */
    public CpuBackend(int threads, boolean reuseBuffers, boolean poisonReleased) {
        this.par = new CpuParallel(threads);
        this.pool = reuseBuffers ? new CpuBufferPool(Runtime.getRuntime().maxMemory() * 3 / 4 / Float.BYTES,
                poisonReleased) : null;
    }

    public int threads() {
        return par.threads();
    }

    /** Parallel regions (fork/joins) this backend has run so far (for benchmarks: count them per step). */
    public long parallelRegions() {
        return par.regions();
    }

    /** Chunks of those regions so far, and the ones a helper thread ran ({@link CpuParallel#helperChunks}). */
    public long[] parallelChunks() {
        return new long[] {par.regionChunks(), par.helperChunks()};
    }

    /** Floating-point operations ({@code 2·m·n·k} per product) of every {@link #gemm} so far. */
    public long gemmFlops() {
        return gemmFlops.sum();
    }

    /** Calls, flops and time of this backend's convolutions per pass (for benchmarks: their rate inside a step). */
    public ConvTimes convTimes() {
        return convTimes;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String describe() {
        return "cpu: " + par.threads() + " threads; gemm " + Sgemm.path() + "; conv "
                + (Sgemm.vectorized()
                        ? CpuConv.winogradRule() + ", other stride-1 convs shifted-window gemm (forward: from "
                                + CpuConv.SHIFTED_FORWARD_MIN_CHANNELS + " input channels; fewer than "
                                + SgemmKernels.L + " output channels on narrow 4-channel tiles), else im2col+gemm"
                        : "im2col+gemm");
    }

    @Override
    public boolean heapManaged() {
        return true;
    }

    @Override
    public void hostSinCos(float[] angles, int rows, int cols, float[] sin, int sinAt, float[] cos, int cosAt,
                           int rowStride) {
        if (Sgemm.vectorized()) {
            FloatSinCosVector.sinCos(angles, rows, cols, sin, sinAt, cos, cosAt, rowStride);
        } else {
            Backend.super.hostSinCos(angles, rows, cols, sin, sinAt, cos, cosAt, rowStride);
        }
    }

    @Override
    public void forHostRange(int n, int grain, HostRange body) {
        par.forRange(n, grain, body::run);
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Buffer allocate(long n) {
        int len = i(n);
        return new CpuBuffer(this, pool == null ? new float[len] : pool.take(len));
    }

    /** Keeps the buffer for reuse (when reuse is on); otherwise the garbage collector reclaims it. */
    @Override
    public void release(Buffer buffer) {
        if (pool != null) {
            pool.put(d(buffer));
        }
    }

    /** Allocations served from released buffers so far (0 when reuse is off). */
    public long reusedBuffers() {
        return pool == null ? 0 : pool.reused();
    }

    /** Allocations that needed a new array so far (0 when reuse is off). */
    public long freshBuffers() {
        return pool == null ? 0 : pool.fresh();
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
        CpuElementwise.fill(dst, offset, n, value, par);
    }

    @Override
    public void copy(Buffer src, long srcOffset, Buffer dst, long dstOffset, long n) {
        System.arraycopy(d(src), i(srcOffset), d(dst), i(dstOffset), i(n));
    }

    @Override
    public void copy2d(Buffer src, long srcOffset, int srcStride, Buffer dst, long dstOffset, int dstStride,
                       int rows, int cols) {
        CpuElementwise.copy2d(src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, cols, par);
    }

    @Override
    public void synchronize() {
    }

    // ---------------------------------------------------------------- random numbers

    @Override
    public void randomUniform(Buffer dst, long n, long seed, long counter) {
        CpuRandom.randomUniform(dst, n, seed, counter, par);
    }

    @Override
    public void randomNormal(Buffer dst, long n, long seed, long counter) {
        CpuRandom.randomNormal(dst, n, seed, counter, par);
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void unary(UnaryOp op, Buffer x, Buffer y, long n, float p0, float p1) {
        CpuElementwise.unary(op, x, y, n, p0, p1, par);
    }

    @Override
    public void unaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, long n, float p0, float p1) {
        CpuElementwise.unaryBackward(op, x, y, gy, gx, n, p0, p1, par);
    }

    @Override
    public void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape) {
        CpuElementwise.binary(op, a, aStrides, b, bStrides, out, outShape, par);
    }

    @Override
    public void reduce(ReduceOp op, Buffer x, int outer, int n, int inner, Buffer out) {
        CpuReduce.reduce(op, x, outer, n, inner, out, par);
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buffer a, long aOffset, int lda, long strideA,
                     Buffer b, long bOffset, int ldb, long strideB,
                     float beta, Buffer c, long cOffset, long strideC, int batch) {
        gemmFlops.add(2L * m * n * k * batch);
        CpuGemm.gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA, b, bOffset, ldb, strideB,
                beta, c, cOffset, strideC, batch, par, serial);
    }

    /** One GEMM with the bias added to each tile as it is stored (bit-identical to the default's copy + GEMM). */
    @Override
    public void linearForward(Buffer x, Buffer w, Buffer bias, Buffer y, int rows, int in, int out) {
        if (bias == null) {
            gemm(false, true, rows, out, in, 1f, x, 0, in, 0, w, 0, in, 0, 0f, y, 0, 0, 1);
            return;
        }
        gemmFlops.add(2L * rows * out * in);
        CpuGemm.linearForward(x, w, bias, y, rows, in, out, null, null, par);
    }

    /** One GEMM with the bias and then {@code act} applied to each tile as it is stored (bit-identical). */
    @Override
    public void linearForward(Buffer x, Buffer w, Buffer bias, Buffer y, int rows, int in, int out, UnaryOp act,
                              Buffer activated) {
        gemmFlops.add(2L * rows * out * in);
        CpuGemm.linearForward(x, w, bias, y, rows, in, out, act, activated, par);
    }

    /**
     * With two workers and products big enough to split, both products in one parallel region, one per worker
     * (each worker runs its GEMM alone: same bits as running it on both); otherwise one after the other.
     */
    @Override
    public void linearBackward(Buffer g, Buffer x, Buffer w, Buffer gx, Buffer gw, int rows, int in, int out) {
        long flops = 2L * rows * in * out;
        gemmFlops.add((gx != null ? flops : 0) + (gw != null ? flops : 0));
        CpuGemm.linearBackward(g, x, w, gx, gw, rows, in, out, par, serial);
    }

    // ---------------------------------------------------------------- shape movement

    @Override
    public void permute(Buffer x, int[] shape, int[] perm, Buffer y) {
        CpuIm2col.permute(x, shape, perm, y, par);
    }

    @Override
    public void gatherRows(Buffer table, int rows, int cols, Buffer index, int count, Buffer out) {
        CpuEmbed.gatherRows(table, rows, cols, index, count, out);
    }

    @Override
    public void scatterAddRows(Buffer gOut, Buffer index, int count, int cols, Buffer gTable) {
        CpuEmbed.scatterAddRows(gOut, index, count, cols, gTable);
    }

    // ---------------------------------------------------------------- neural-network primitives

    @Override
    public void softmax(Buffer x, Buffer y, int rows, int cols, boolean log) {
        CpuSoftmax.softmax(x, y, rows, cols, log, par);
    }

    @Override
    public void softmaxBackward(Buffer y, Buffer gy, Buffer gx, int rows, int cols, boolean log) {
        CpuSoftmax.softmaxBackward(y, gy, gx, rows, cols, log, par);
    }

    @Override
    public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                          int rows, int cols, float eps) {
        CpuNorm.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps, par);
    }

    @Override
    public void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int rows, int cols) {
        CpuNorm.layerNormBackward(x, gamma, mean, rstd, gy, gx, gGamma, gBeta, rows, cols, par);
    }

    @Override
    public void groupNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                          int n, int c, int hw, int groups, float eps) {
        CpuNorm.groupNorm(x, gamma, beta, y, mean, rstd, n, c, hw, groups, eps, par);
    }

    @Override
    public void groupNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, int groups) {
        CpuNorm.groupNormBackward(x, gamma, mean, rstd, gy, gx, gGamma, gBeta, n, c, hw, groups, par);
    }

    @Override
    public void conv2d(Buffer x, Buffer w, Buffer y, ConvShape s) {
        long t0 = System.nanoTime();
        CpuConv.forward(d(x), d(w), d(y), s, par);
        convTimes.add(ConvTimes.Pass.FORWARD, s, System.nanoTime() - t0);
    }

    @Override
    public void conv2dBackwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
        long t0 = System.nanoTime();
        CpuConv.backwardData(d(gy), d(w), d(gx), s, par);
        convTimes.add(ConvTimes.Pass.BACKWARD_DATA, s, System.nanoTime() - t0);
    }

    @Override
    public void conv2dBackwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
        long t0 = System.nanoTime();
        CpuConv.backwardFilter(d(x), d(gy), d(gw), s, par);
        convTimes.add(ConvTimes.Pass.BACKWARD_FILTER, s, System.nanoTime() - t0);
    }

    @Override
    public void avgPool2d(Buffer x, Buffer y, int planes, int h, int w, int k) {
        CpuIm2col.avgPool2d(x, y, planes, h, w, k, par);
    }

    @Override
    public void avgPool2dBackward(Buffer gy, Buffer gx, int planes, int h, int w, int k) {
        CpuIm2col.avgPool2dBackward(gy, gx, planes, h, w, k, par);
    }

    @Override
    public void upsampleNearest(Buffer x, Buffer y, int planes, int h, int w, int factor) {
        CpuIm2col.upsampleNearest(x, y, planes, h, w, factor, par);
    }

    @Override
    public void upsampleNearestBackward(Buffer gy, Buffer gx, int planes, int h, int w, int factor) {
        CpuIm2col.upsampleNearestBackward(gy, gx, planes, h, w, factor, par);
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
        CpuFlow.mse(a, b, out, n, par);
    }

    @Override
    public void mseBackward(Buffer a, Buffer b, Buffer gOut, Buffer ga, long n) {
        CpuFlow.mseBackward(a, b, gOut, ga, n, par);
    }

    // ---------------------------------------------------------------- fused flow-matching kernels

    @Override
    public void reparameterize(Buffer mu, Buffer logvar, Buffer eps, Buffer z, long n) {
        CpuFlow.reparameterize(mu, logvar, eps, z, n, par);
    }

    @Override
    public void reparameterizeBackward(Buffer logvar, Buffer eps, Buffer gz, Buffer gMu, Buffer gLogvar, long n) {
        CpuFlow.reparameterizeBackward(logvar, eps, gz, gMu, gLogvar, n, par);
    }

    @Override
    public void gaussianKl(Buffer mu, Buffer logvar, Buffer kl, int rows, int cols) {
        CpuFlow.gaussianKl(mu, logvar, kl, rows, cols, par);
    }

    @Override
    public void gaussianKlBackward(Buffer mu, Buffer logvar, Buffer gKl, Buffer gMu, Buffer gLogvar, int rows, int cols) {
        CpuFlow.gaussianKlBackward(mu, logvar, gKl, gMu, gLogvar, rows, cols, par);
    }

    @Override
    public void interpolate(Buffer x0, Buffer x1, Buffer t, Buffer xt, Buffer target, int rows, int cols) {
        CpuFlow.interpolate(x0, x1, t, xt, target, rows, cols, par);
    }

    @Override
    public void eulerStep(Buffer x, Buffer v, float dt, Buffer noise, float noiseScale, long n) {
        CpuFlow.eulerStep(x, v, dt, noise, noiseScale, n, par);
    }

    @Override
    public void adamwStep(Buffer param, Buffer grad, Buffer m, Buffer v, long n,
                          float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        CpuAdam.adamwStep(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step, par);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.clear();
        }
        par.shutdown();
    }
}
