package io.vrfm.backend;

/**
 * The kernel ABI: every primitive the engine needs, one method each. {@link io.vrfm.backend.cpu.CpuBackend}
 * is the reference implementation; {@code cuda.CudaBackend} runs the same contract on a GPU.
 *
 * <p>Conventions: float32, row-major, contiguous; offsets and sizes count elements. Output buffers are
 * <em>overwritten</em> unless a method says it accumulates. Calls may be asynchronous with respect to the host;
 * {@link #download} and {@link #synchronize} wait. Index-valued inputs (gather indices) are stored as floats
 * holding exact integers.
 */
public interface Backend extends AutoCloseable {

    /** Short name: {@code cpu} or {@code cuda}. */
    String name();

    /** One line describing the device and which path each accelerated op takes. */
    String describe();

    // ---------------------------------------------------------------- memory

    /** Allocates {@code n} floats (contents undefined). */
    Buffer allocate(long n);

    /** Returns a buffer to the backend (its pool); the buffer must not be used afterwards. */
    void release(Buffer buffer);

    /**
     * True when buffers live on the Java heap and the garbage collector reclaims them (CPU; buffers handed back
     * through {@link #release} may be reused); false when tensors must hand their buffers back through
     * {@link #release} (device memory).
     */
    default boolean heapManaged() {
        return false;
    }

    /** A host-code body over the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    interface HostRange {
        void run(int from, int to);
    }

    /**
     * Runs host code over {@code [0, n)} in ranges of at least {@code grain} indices, on this backend's host threads
     * where it has them (the CPU backend's workers, so a layer's fused host pass uses the threads the user gave the
     * backend); by default on the calling thread, in one range. The ranges must write disjoint memory.
     */
    default void forHostRange(int n, int grain, HostRange body) {
        if (n > 0) {
            body.run(0, n);
        }
    }

    /**
     * Host math for fused host passes: the sine and cosine of a dense {@code rows × cols} block of angles into two
     * strided destinations, {@code sin[sinAt + r·rowStride + k]} and {@code cos[cosAt + r·rowStride + k]} of
     * {@code angles[r·cols + k]}, bit for bit {@code (float) Math.sin} and {@code Math.cos} on every backend. By
     * default {@link FloatSinCos#sinCos} row by row, which the CPU backend runs lane-wise.
     */
    default void hostSinCos(float[] angles, int rows, int cols, float[] sin, int sinAt, float[] cos, int cosAt,
                            int rowStride) {
        for (int r = 0; r < rows; r++) {
            FloatSinCos.sinCos(angles, r * cols, cols, sin, sinAt + r * rowStride, cos, cosAt + r * rowStride);
        }
    }

    void upload(float[] src, int srcOffset, Buffer dst, long dstOffset, int n);

    void download(Buffer src, long srcOffset, float[] dst, int dstOffset, int n);

    void fill(Buffer dst, long offset, long n, float value);

    void copy(Buffer src, long srcOffset, Buffer dst, long dstOffset, long n);

    /**
     * Strided 2-D block copy: {@code rows} rows of {@code cols} floats, row {@code i} read at
     * {@code srcOffset + i·srcStride} and written at {@code dstOffset + i·dstStride}. Concat and slice are built on it.
     */
    void copy2d(Buffer src, long srcOffset, int srcStride, Buffer dst, long dstOffset, int dstStride, int rows, int cols);

    /** Waits until all queued work on this backend has finished. */
    void synchronize();

    // ---------------------------------------------------------------- random numbers

    /**
     * Counter-based uniform numbers in (0, 1): element {@code i} is a pure function of {@code (seed, counter + i)}
     * ({@link Philox}), so CPU and CUDA produce identical streams.
     */
    void randomUniform(Buffer dst, long n, long seed, long counter);

    /** Standard normal numbers by Box–Muller on the counter-based uniforms ({@link Philox#normal}). */
    void randomNormal(Buffer dst, long n, long seed, long counter);

    // ---------------------------------------------------------------- element-wise

    /** {@code y[i] = op(x[i]; p0, p1)}. */
    void unary(UnaryOp op, Buffer x, Buffer y, long n, float p0, float p1);

    /** {@code gx[i] = gy[i] · op'(x[i])}; {@code y} is the forward output (some rules use it). */
    void unaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, long n, float p0, float p1);

    /**
     * {@code out[idx] = op(a[idx·aStrides], b[idx·bStrides])} over the multi-index {@code idx} of {@code outShape};
     * a stride of 0 broadcasts that operand along the axis. All three arrays have the rank of {@code outShape}.
     */
    void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape);

    /**
     * Reduces the middle axis of {@code x} viewed as {@code [outer, n, inner]} into {@code out} of
     * {@code [outer, inner]}.
     */
    void reduce(ReduceOp op, Buffer x, int outer, int n, int inner, Buffer out);

    // ---------------------------------------------------------------- linear algebra

    /**
     * Batched row-major GEMM: for each {@code b < batch},
     * {@code C_b = alpha·op(A_b)·op(B_b) + beta·C_b}, where {@code op(A_b)} is {@code m×k}, {@code op(B_b)} is
     * {@code k×n}, {@code C_b} is {@code m×n} with leading dimension {@code n}. {@code A_b} starts at
     * {@code aOffset + b·strideA} with leading dimension {@code lda} (row length of A as stored), likewise B.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              Buffer a, long aOffset, int lda, long strideA,
              Buffer b, long bOffset, int ldb, long strideB,
              float beta, Buffer c, long cOffset, long strideC, int batch);

    /**
     * The forward product of a Linear layer, {@code y = x·Wᵀ + bias} for row-major {@code x [rows, in]},
     * {@code W [out, in]} and {@code bias [out]} (null: no bias), the bias added to each element's full product as
     * copying it into {@code y} and accumulating with {@link #gemm} ({@code beta} 1) does; that is the default. A
     * backend may add the bias in its GEMM's store instead, with the same result.
     */
    default void linearForward(Buffer x, Buffer w, Buffer bias, Buffer y, int rows, int in, int out) {
        float beta = 0f;
        if (bias != null) {
            copy2d(bias, 0, 0, y, 0, out, rows, out);
            beta = 1f;
        }
        gemm(false, true, rows, out, in, 1f, x, 0, in, 0, w, 0, in, 0, beta, y, 0, 0, 1);
    }

    /**
     * {@link #linearForward} and then {@code activated = act(y)} ({@link #unary} with parameters 0): a Linear layer
     * and its activation, the pre-activation {@code y} kept for the backward pass. That is the default; a backend may
     * apply {@code act} to each tile of {@code y} as its GEMM stores it, with the same result.
     */
    default void linearForward(Buffer x, Buffer w, Buffer bias, Buffer y, int rows, int in, int out, UnaryOp act,
                               Buffer activated) {
        linearForward(x, w, bias, y, rows, in, out);
        unary(act, y, activated, (long) rows * out, 0f, 0f);
    }

    /**
     * The backward products of a Linear layer {@code y = x·Wᵀ + b} with output gradient {@code g [rows, out]}:
     * {@code gx = g·W} ({@code [rows, in]}) and {@code gW = gᵀ·x} ({@code [out, in]}); a null output is not
     * computed. The default is the two {@link #gemm} calls; a backend may run the two products side by side.
     */
    default void linearBackward(Buffer g, Buffer x, Buffer w, Buffer gx, Buffer gw, int rows, int in, int out) {
        if (gx != null) {
            gemm(false, false, rows, in, out, 1f, g, 0, out, 0, w, 0, in, 0, 0f, gx, 0, 0, 1);
        }
        if (gw != null) {
            gemm(true, false, out, in, rows, 1f, g, 0, out, 0, x, 0, in, 0, 0f, gw, 0, 0, 1);
        }
    }

    // ---------------------------------------------------------------- shape movement

    /** {@code y = x.permute(perm)} for contiguous {@code x} of {@code shape}; {@code y} contiguous. */
    void permute(Buffer x, int[] shape, int[] perm, Buffer y);

    /** {@code out[i, :] = table[index[i], :]} for {@code count} indices into a {@code rows × cols} table. */
    void gatherRows(Buffer table, int rows, int cols, Buffer index, int count, Buffer out);

    /** {@code gTable[index[i], :] += gOut[i, :]} (accumulates; callers zero {@code gTable} first). */
    void scatterAddRows(Buffer gOut, Buffer index, int count, int cols, Buffer gTable);

    // ---------------------------------------------------------------- neural-network primitives

    /** Row-wise softmax (or log-softmax) over {@code cols} of a {@code rows × cols} matrix. */
    void softmax(Buffer x, Buffer y, int rows, int cols, boolean log);

    /** Backward of {@link #softmax} from its output {@code y}. */
    void softmaxBackward(Buffer y, Buffer gy, Buffer gx, int rows, int cols, boolean log);

    /**
     * Layer norm over the last {@code cols}: {@code y = (x − mean)·rstd·gamma + beta}; saves per-row {@code mean}
     * and {@code rstd}. {@code gamma}/{@code beta} may be null (no affine).
     */
    void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd, int rows, int cols, float eps);

    /** Backward of {@link #layerNorm}; {@code gGamma}/{@code gBeta} are overwritten (null when no affine). */
    void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                           Buffer gx, Buffer gGamma, Buffer gBeta, int rows, int cols);

    /**
     * Group norm of NCHW {@code x} ({@code hw} = H·W) with {@code groups} groups and per-channel affine
     * {@code gamma}/{@code beta} (nullable); saves {@code mean}/{@code rstd} of shape {@code [n, groups]}.
     */
    void groupNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd,
                   int n, int c, int hw, int groups, float eps);

    /** Backward of {@link #groupNorm}; {@code gGamma}/{@code gBeta} are overwritten (null when no affine). */
    void groupNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer gy,
                           Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, int groups);

    /** 2-D convolution without bias: {@code y = conv(x, w)}. */
    void conv2d(Buffer x, Buffer w, Buffer y, ConvShape s);

    /** {@code gx = conv2d'(gy, w)} with respect to the input. */
    void conv2dBackwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s);

    /** {@code gw = conv2d'(x, gy)} with respect to the weight. */
    void conv2dBackwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s);

    /** Average pooling with kernel = stride = {@code k} over {@code planes} planes of {@code h × w}. */
    void avgPool2d(Buffer x, Buffer y, int planes, int h, int w, int k);

    void avgPool2dBackward(Buffer gy, Buffer gx, int planes, int h, int w, int k);

    /** Nearest-neighbour upsampling by integer {@code factor} over {@code planes} planes of {@code h × w}. */
    void upsampleNearest(Buffer x, Buffer y, int planes, int h, int w, int factor);

    void upsampleNearestBackward(Buffer gy, Buffer gx, int planes, int h, int w, int factor);

    /** Mean squared error {@code out[0] = mean((a − b)²)} over {@code n} elements. */
    void mse(Buffer a, Buffer b, Buffer out, long n);

    /** {@code ga = gOut[0]·2(a − b)/n} (the gradient with respect to {@code a}; negate it for {@code b}). */
    void mseBackward(Buffer a, Buffer b, Buffer gOut, Buffer ga, long n);

    /**
     * Fused scaled-dot-product self-attention, flash-attention style: for each of {@code batchHeads} slices of
     * {@code q}, {@code k}, {@code v} (each {@code [batchHeads, seq, headDim]}),
     * {@code out = softmax(q·kᵀ·scale)·v} (softmax over keys), and {@code lse[b, i] = log Σ_j exp(scale·q_i·k_j)},
     * the per-row log-sum-exp that {@link #attentionBackward} uses to recompute the probabilities. No
     * {@code seq × seq} matrix is kept.
     */
    void attention(Buffer q, Buffer k, Buffer v, Buffer out, Buffer lse, int batchHeads, int seq, int headDim,
                   float scale);

    /**
     * Backward of {@link #attention} from its inputs, output and {@code lse}: with {@code P = exp(scale·q·kᵀ − lse)},
     * {@code D_i = Σ_d gOut·out}, {@code gv = Pᵀ·gOut}, {@code dS = P∘(gOut·vᵀ − D)}, {@code gq = scale·dS·k},
     * {@code gk = scale·dSᵀ·q}. {@code gq}, {@code gk}, {@code gv} are overwritten.
     */
    void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer out, Buffer lse, Buffer gOut,
                           Buffer gq, Buffer gk, Buffer gv, int batchHeads, int seq, int headDim, float scale);

    // ---------------------------------------------------------------- fused flow-matching kernels

    /** {@code z = mu + exp(0.5·logvar)·eps}. */
    void reparameterize(Buffer mu, Buffer logvar, Buffer eps, Buffer z, long n);

    /** {@code gMu = gz}, {@code gLogvar = gz·0.5·exp(0.5·logvar)·eps}. */
    void reparameterizeBackward(Buffer logvar, Buffer eps, Buffer gz, Buffer gMu, Buffer gLogvar, long n);

    /** Per-row KL to N(0, I): {@code kl[r] = −0.5·Σ_j (1 + logvar − mu² − exp(logvar))}. */
    void gaussianKl(Buffer mu, Buffer logvar, Buffer kl, int rows, int cols);

    /** {@code gMu = gKl[r]·mu}, {@code gLogvar = gKl[r]·0.5·(exp(logvar) − 1)}. */
    void gaussianKlBackward(Buffer mu, Buffer logvar, Buffer gKl, Buffer gMu, Buffer gLogvar, int rows, int cols);

    /**
     * Rectified-flow interpolation with one {@code t} per row: {@code xt = (1 − t)·x0 + t·x1},
     * {@code target = x1 − x0}, for a {@code rows × cols} batch.
     */
    void interpolate(Buffer x0, Buffer x1, Buffer t, Buffer xt, Buffer target, int rows, int cols);

    /**
     * In-place Euler / Euler–Maruyama step {@code x ← x + dt·v + noiseScale·noise}; {@code noise} may be null
     * (then {@code noiseScale} is ignored).
     */
    void eulerStep(Buffer x, Buffer v, float dt, Buffer noise, float noiseScale, long n);

    /**
     * In-place AdamW step (decoupled weight decay, bias-corrected, {@code step} counted from 1):
     * {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
     * {@code p ← p − lr·(wd·p + m̂/(√v̂ + eps))}.
     */
    void adamwStep(Buffer param, Buffer grad, Buffer m, Buffer v, long n,
                   float lr, float beta1, float beta2, float eps, float weightDecay, int step);

    @Override
    void close();
}
