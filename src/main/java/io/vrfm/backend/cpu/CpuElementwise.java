package io.vrfm.backend.cpu;

import io.vrfm.backend.BinaryOp;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.UnaryOp;

import static io.vrfm.backend.cpu.CpuBackend.GRAIN;
import static io.vrfm.backend.cpu.CpuBuffer.d;
import static io.vrfm.backend.cpu.CpuBuffer.i;

/**
 * CPU twin of {@code kernels/elementwise.cu}. Element-wise primitives: fill, strided 2-D copy, every {@link
 * io.vrfm.backend.UnaryOp} forward and backward, and every {@link io.vrfm.backend.BinaryOp} with broadcasting. One
 * static method per {@link io.vrfm.backend.Backend} primitive, named alike; {@link CpuBackend} delegates here.
 */
final class CpuElementwise {
    private CpuElementwise() {
    }

    static void fill(Buffer dst, long offset, long n, float value, CpuParallel par) {
        float[] a = d(dst);
        int off = i(offset);
        par.forRange(i(n), GRAIN, (lo, hi) -> java.util.Arrays.fill(a, off + lo, off + hi, value));
    }

    static void copy2d(Buffer src, long srcOffset, int srcStride, Buffer dst, long dstOffset, int dstStride,
                       int rows, int cols, CpuParallel par) {
        float[] s = d(src), t = d(dst);
        int so = i(srcOffset), to = i(dstOffset);
        par.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                System.arraycopy(s, so + r * srcStride, t, to + r * dstStride, cols);
            }
        });
    }

    static void unary(UnaryOp op, Buffer x, Buffer y, long n, float p0, float p1, CpuParallel par) {
        float[] xs = d(x), ys = d(y);
        par.forRange(i(n), unaryGrain(op), (lo, hi) -> UnaryMath.forward(op, xs, ys, lo, hi, p0, p1));
    }

    static void unaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, long n, float p0, float p1, CpuParallel par) {
        float[] xs = d(x), ys = d(y), gys = d(gy), gxs = d(gx);
        par.forRange(i(n), unaryGrain(op), (lo, hi) -> UnaryMath.backward(op, xs, ys, gys, gxs, lo, hi, p0, p1));
    }

    /**
     * Elements per chunk of a unary pass: an eighth of {@link CpuBackend#GRAIN} for the rules that evaluate an
     * exponential or a trigonometric function (tens of flops per element, so a batch-1000 × 32 activation is worth
     * splitting), {@code GRAIN} for the cheap ones.
     */
    static int unaryGrain(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, GELU_TANH, GELU_ERF, SILU, SIGMOID, TANH, SIN, COS, POW -> GRAIN / 8;
            default -> GRAIN;
        };
    }

    static void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape, CpuParallel par) {
        float[] as = d(a), bs = d(b), os = d(out);
        if (outShape.length == 0) {
            os[0] = binaryScalar(op, as[0], bs[0]);
            return;
        }
        // adjacent dimensions that both operands walk as one (contiguous, or broadcast together) become one: a
        // per-channel bias over [N, C, H, W] runs as rows of H·W, not rows of W with an index decomposition each
        int[][] merged = mergeDimensions(outShape, aStrides, bStrides);
        int[] shape = merged[0], aSt = merged[1], bSt = merged[2];
        int rank = shape.length;
        int inner = shape[rank - 1];
        int outer = 1;
        for (int k = 0; k < rank - 1; k++) {
            outer *= shape[k];
        }
        int aIn = aSt[rank - 1], bIn = bSt[rank - 1];
        if (outer == 1) {
            par.forRange(inner, GRAIN, (lo, hi) -> binaryRow(op, as, lo * aIn, aIn, bs, lo * bIn, bIn, os, lo, hi - lo));
            return;
        }
        par.forRange(outer, Math.max(1, GRAIN / Math.max(1, inner)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int rem = row, aBase = 0, bBase = 0;
                for (int k = rank - 2; k >= 0; k--) {
                    int idx = rem % shape[k];
                    rem /= shape[k];
                    aBase += idx * aSt[k];
                    bBase += idx * bSt[k];
                }
                binaryRow(op, as, aBase, aIn, bs, bBase, bIn, os, row * inner, inner);
            }
        });
    }

    /**
     * {@code {shape, aStrides, bStrides}} with every pair of adjacent dimensions merged where both operands step
     * through them as through one ({@code stride[k] == stride[k+1]·shape[k+1]} for each: contiguous, or both 0).
     */
    static int[][] mergeDimensions(int[] shape, int[] aStrides, int[] bStrides) {
        int rank = shape.length;
        int[] sh = new int[rank], sa = new int[rank], sb = new int[rank];
        int n = 0;
        sh[0] = shape[rank - 1];
        sa[0] = aStrides[rank - 1];
        sb[0] = bStrides[rank - 1];
        for (int k = rank - 2; k >= 0; k--) {
            if (aStrides[k] == sa[n] * sh[n] && bStrides[k] == sb[n] * sh[n]) {
                sh[n] *= shape[k];
            } else {
                n++;
                sh[n] = shape[k];
                sa[n] = aStrides[k];
                sb[n] = bStrides[k];
            }
        }
        int[][] out = new int[3][n + 1];
        for (int j = 0; j <= n; j++) {   // back to outermost-first
            out[0][j] = sh[n - j];
            out[1][j] = sa[n - j];
            out[2][j] = sb[n - j];
        }
        return out;
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
                } else if (as == 1 && bs == 0) {   // a broadcast b (a bias per channel): a loop C2 vectorises
                    float v = b[bi];
                    for (int k = 0; k < len; k++) o[oi + k] = a[ai + k] + v;
                } else if (as == 0 && bs == 1) {
                    float v = a[ai];
                    for (int k = 0; k < len; k++) o[oi + k] = v + b[bi + k];
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
                } else if (as == 1 && bs == 0) {
                    float v = b[bi];
                    for (int k = 0; k < len; k++) o[oi + k] = a[ai + k] * v;
                } else if (as == 0 && bs == 1) {
                    float v = a[ai];
                    for (int k = 0; k < len; k++) o[oi + k] = v * b[bi + k];
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
}
