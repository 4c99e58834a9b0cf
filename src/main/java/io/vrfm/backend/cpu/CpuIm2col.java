package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;

import static io.vrfm.backend.cpu.CpuBackend.GRAIN;
import static io.vrfm.backend.cpu.CpuBuffer.d;

/**
 * CPU twin of {@code kernels/im2col.cu}. The image-layout primitives of {@code im2col.cu}: permute, average pooling
 * and nearest upsampling (the convolution unfolding itself, {@code im2col}/{@code col2im}, is in {@link CpuConv}).
 * One static method per {@link io.vrfm.backend.Backend} primitive, named alike; {@link CpuBackend} delegates here.
 */
final class CpuIm2col {
    private CpuIm2col() {
    }

    static void permute(Buffer x, int[] shape, int[] perm, Buffer y, CpuParallel par) {
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

    static void avgPool2d(Buffer x, Buffer y, int planes, int h, int w, int k, CpuParallel par) {
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

    static void avgPool2dBackward(Buffer gy, Buffer gx, int planes, int h, int w, int k, CpuParallel par) {
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

    static void upsampleNearest(Buffer x, Buffer y, int planes, int h, int w, int factor, CpuParallel par) {
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

    static void upsampleNearestBackward(Buffer gy, Buffer gx, int planes, int h, int w, int factor, CpuParallel par) {
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
}
