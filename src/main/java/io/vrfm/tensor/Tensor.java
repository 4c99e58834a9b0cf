package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.UnaryOp;

import java.util.Arrays;

/**
 * A float32, contiguous, n-dimensional array in a {@link Backend}'s storage, with reverse-mode autograd.
 *
 * <p>Operations record a graph when {@link GradMode#isEnabled()} and an input {@link #requiresGrad()}; call
 * {@link #backward()} on a scalar to accumulate gradients into the leaves' {@link #grad()}. The same code runs on
 * every backend: nothing here assumes host memory.
 */
public final class Tensor implements AutoCloseable {
    private final Storage storage;
    private final int[] shape;
    private final long size;
    private boolean requiresGrad;
    Tensor grad;
    Node node;

    Tensor(Storage storage, int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor: negative dimension in shape " + Shape.str(shape));
            }
        }
        this.storage = storage;
        this.shape = shape.clone();
        this.size = Shape.numel(shape);
    }

    // ---------------------------------------------------------------- creation

    /** An uninitialised tensor (contents undefined). */
    public static Tensor empty(Backend backend, int... shape) {
        return new Tensor(new Storage(backend, backend.allocate(Math.max(1, Shape.numel(shape)))), shape);
    }

    public static Tensor of(Backend backend, float[] data, int... shape) {
        if (data.length != Shape.numel(shape)) {
            throw new IllegalArgumentException("tensor: " + data.length + " values do not fill shape " + Shape.str(shape));
        }
        Tensor t = empty(backend, shape);
        backend.upload(data, 0, t.buffer(), 0, data.length);
        return t;
    }

    public static Tensor scalar(Backend backend, float value) {
        return full(backend, value);
    }

    public static Tensor full(Backend backend, float value, int... shape) {
        Tensor t = empty(backend, shape);
        backend.fill(t.buffer(), 0, t.size, value);
        return t;
    }

    public static Tensor zeros(Backend backend, int... shape) {
        return full(backend, 0f, shape);
    }

    public static Tensor ones(Backend backend, int... shape) {
        return full(backend, 1f, shape);
    }

    /** Uniform numbers in (0, 1) from {@code rng}. */
    public static Tensor rand(Backend backend, Rng rng, int... shape) {
        Tensor t = empty(backend, shape);
        backend.randomUniform(t.buffer(), t.size, rng.seed(), rng.take(t.size));
        return t;
    }

    /** Standard normal numbers from {@code rng}. */
    public static Tensor randn(Backend backend, Rng rng, int... shape) {
        Tensor t = empty(backend, shape);
        backend.randomNormal(t.buffer(), t.size, rng.seed(), rng.take(t.size));
        return t;
    }

    public Tensor zerosLike() {
        return zeros(backend(), shape);
    }

    public Tensor onesLike() {
        return ones(backend(), shape);
    }

    // ---------------------------------------------------------------- basic facts

    public Backend backend() {
        return storage.backend;
    }

    Storage storage() {
        return storage;
    }

    /** The storage; for backend-level code (ops, optimizers). */
    public Buffer buffer() {
        return storage.buffer;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[Shape.axis("dim", axis, shape.length)];
    }

    public long size() {
        return size;
    }

    public String shapeString() {
        return Shape.str(shape);
    }

    /** Copies the values to a new host array. */
    public float[] toArray() {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor: " + size + " elements do not fit one Java array");
        }
        float[] out = new float[(int) size];
        backend().download(buffer(), 0, out, 0, out.length);
        return out;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (size != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " is not a scalar");
        }
        float[] out = new float[1];
        backend().download(buffer(), 0, out, 0, 1);
        return out[0];
    }

    /** A new tensor with the same values on {@code target} (no gradient flows across backends). */
    public Tensor to(Backend target) {
        if (target == backend()) {
            return this;
        }
        return of(target, toArray(), shape);
    }

    /** Frees the storage now (device memory returns to the pool); the tensor and its views become unusable. */
    @Override
    public void close() {
        storage.release();
    }

    @Override
    public String toString() {
        String values = size <= 16 ? " " + Arrays.toString(toArray()) : "";
        return "Tensor" + Shape.str(shape) + "@" + backend().name() + values + (requiresGrad ? " (grad)" : "");
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a parameter whose gradient accumulates in {@link #grad()}. */
    public Tensor requiresGrad(boolean value) {
        if (node != null && !value) {
            throw new IllegalStateException("requiresGrad: cannot switch off a non-leaf tensor; use detach()");
        }
        this.requiresGrad = value;
        return this;
    }

    /** The accumulated gradient, or null before any backward pass reached this tensor. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null && !Shape.same(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient " + Shape.str(g.shape) + " for tensor " + Shape.str(shape));
        }
        this.grad = g;
    }

    public void zeroGrad() {
        if (grad != null) {
            backend().fill(grad.buffer(), 0, grad.size, 0f);
        }
    }

    /** True when this tensor was produced by a recorded op (not a leaf). */
    public boolean hasGraph() {
        return node != null;
    }

    /** Backpropagates from this scalar; gradients of leaves accumulate. The graph is released afterwards. */
    public void backward() {
        if (size != 1) {
            throw new IllegalStateException("backward: needs a scalar, got shape " + Shape.str(shape)
                    + "; reduce it (sum/mean) or pass an output gradient");
        }
        backward(ones(backend(), shape));
    }

    /** Backpropagates with the given output gradient. */
    public void backward(Tensor gradOut) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: tensor does not require grad (no parameter contributed to it,"
                    + " or it was computed under noGrad)");
        }
        if (!Shape.same(gradOut.shape, shape)) {
            throw new IllegalArgumentException("backward: gradient " + Shape.str(gradOut.shape) + " for " + Shape.str(shape));
        }
        Autograd.backward(this, gradOut);
    }

    /** The same values with no graph behind them (shares storage). */
    public Tensor detach() {
        return new Tensor(storage, shape);
    }

    /** A contiguous copy with no graph. */
    public Tensor copy() {
        Tensor t = empty(backend(), shape);
        backend().copy(buffer(), 0, t.buffer(), 0, size);
        return t;
    }

    /**
     * Records {@code op} as producing this tensor from {@code inputs} when autograd is on and any input needs a
     * gradient. Returns {@code this}.
     */
    Tensor record(String op, Node.Rule rule, Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return this;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                this.requiresGrad = true;
                this.node = new Node(op, inputs, rule);
                return this;
            }
        }
        return this;
    }

    /** A view with another shape over the same storage (contiguous tensors reshape for free). */
    Tensor view(int[] newShape) {
        return new Tensor(storage, newShape);
    }

    // ---------------------------------------------------------------- element-wise

    public Tensor add(Tensor o) { return Elementwise.binary(this, o, io.vrfm.backend.BinaryOp.ADD); }
    public Tensor sub(Tensor o) { return Elementwise.binary(this, o, io.vrfm.backend.BinaryOp.SUB); }
    public Tensor mul(Tensor o) { return Elementwise.binary(this, o, io.vrfm.backend.BinaryOp.MUL); }
    public Tensor div(Tensor o) { return Elementwise.binary(this, o, io.vrfm.backend.BinaryOp.DIV); }
    /** Element-wise maximum; the gradient goes to the larger operand (to {@code this} on ties). */
    public Tensor maximum(Tensor o) { return Elementwise.binary(this, o, io.vrfm.backend.BinaryOp.MAX); }
    public Tensor add(float c) { return Elementwise.unary(this, UnaryOp.AFFINE, 1f, c); }
    public Tensor sub(float c) { return Elementwise.unary(this, UnaryOp.AFFINE, 1f, -c); }
    public Tensor mul(float c) { return Elementwise.unary(this, UnaryOp.AFFINE, c, 0f); }
    public Tensor div(float c) { return Elementwise.unary(this, UnaryOp.AFFINE, 1f / c, 0f); }
    /** {@code a·x + b}. */
    public Tensor affine(float a, float b) { return Elementwise.unary(this, UnaryOp.AFFINE, a, b); }
    public Tensor neg() { return Elementwise.unary(this, UnaryOp.NEG, 0, 0); }
    public Tensor exp() { return Elementwise.unary(this, UnaryOp.EXP, 0, 0); }
    public Tensor log() { return Elementwise.unary(this, UnaryOp.LOG, 0, 0); }
    public Tensor sqrt() { return Elementwise.unary(this, UnaryOp.SQRT, 0, 0); }
    public Tensor square() { return Elementwise.unary(this, UnaryOp.SQUARE, 0, 0); }
    public Tensor pow(float p) { return Elementwise.unary(this, UnaryOp.POW, p, 0); }
    public Tensor abs() { return Elementwise.unary(this, UnaryOp.ABS, 0, 0); }
    public Tensor clamp(float lo, float hi) { return Elementwise.unary(this, UnaryOp.CLAMP, lo, hi); }
    public Tensor relu() { return Elementwise.unary(this, UnaryOp.RELU, 0, 0); }
    /** GELU, exact (erf) form, as PyTorch's default. */
    public Tensor gelu() { return Elementwise.unary(this, UnaryOp.GELU_ERF, 0, 0); }
    public Tensor geluTanh() { return Elementwise.unary(this, UnaryOp.GELU_TANH, 0, 0); }
    public Tensor silu() { return Elementwise.unary(this, UnaryOp.SILU, 0, 0); }
    public Tensor sigmoid() { return Elementwise.unary(this, UnaryOp.SIGMOID, 0, 0); }
    public Tensor tanh() { return Elementwise.unary(this, UnaryOp.TANH, 0, 0); }
    public Tensor sin() { return Elementwise.unary(this, UnaryOp.SIN, 0, 0); }
    public Tensor cos() { return Elementwise.unary(this, UnaryOp.COS, 0, 0); }
    /** {@code x > threshold ? 1 : 0} (no gradient). */
    public Tensor greaterThan(float threshold) { return Elementwise.unary(this, UnaryOp.GREATER_THAN, threshold, 0); }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() { return Reductions.sum(this, null, false); }
    public Tensor sum(int axis, boolean keepDim) { return Reductions.sum(this, new int[]{axis}, keepDim); }
    public Tensor sum(int[] axes, boolean keepDim) { return Reductions.sum(this, axes, keepDim); }
    public Tensor mean() { return Reductions.mean(this, null, false); }
    public Tensor mean(int axis, boolean keepDim) { return Reductions.mean(this, new int[]{axis}, keepDim); }
    public Tensor mean(int[] axes, boolean keepDim) { return Reductions.mean(this, axes, keepDim); }
    public Tensor max(int axis, boolean keepDim) { return Reductions.max(this, axis, keepDim); }

    // ---------------------------------------------------------------- movement

    /** Same values, new shape (one dimension may be -1). Free for contiguous tensors. */
    public Tensor reshape(int... newShape) { return Movement.reshape(this, newShape); }
    public Tensor flatten(int startAxis) { return Movement.flatten(this, startAxis); }
    public Tensor permute(int... perm) { return Movement.permute(this, perm); }
    public Tensor transpose(int a, int b) { return Movement.transpose(this, a, b); }
    /** Elements {@code [start, end)} along {@code axis}. */
    public Tensor slice(int axis, int start, int end) { return Movement.slice(this, axis, start, end); }
    public Tensor[] split(int axis, int... sizes) { return Movement.split(this, axis, sizes); }
    public static Tensor concat(int axis, Tensor... parts) { return Movement.concat(axis, parts); }
    /** Broadcasts to {@code target} (NumPy rules); the gradient sums back. */
    public Tensor expand(int... target) { return Movement.expand(this, target); }
    /** Rows of this {@code [rows, cols]} table selected by {@code index} (exact integers stored as floats). */
    public Tensor indexSelect(Tensor index) { return Movement.indexSelect(this, index); }

    // ---------------------------------------------------------------- linear algebra

    /** Matrix product: 2-D, or batched over equal leading dimensions, or a batched left side with a 2-D right. */
    public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o); }

    // ---------------------------------------------------------------- neural-network ops

    public Tensor softmax() { return NeuralOps.softmax(this, false); }
    public Tensor logSoftmax() { return NeuralOps.softmax(this, true); }
    public Tensor mse(Tensor target) { return NeuralOps.mse(this, target); }
}
