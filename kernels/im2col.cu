// CPU twin: io.vrfm.backend.cpu.CpuIm2col (pool, upsample, permute) + CpuConv (im2col/col2im)
// im2col.cu - the convolution fallback (im2col / col2im around GEMM), average pooling, nearest upsampling,
// and permute. Semantics: io.vrfm.backend.Backend#conv2d* (fallback path), #avgPool2d*, #upsampleNearest*,
// #permute. Layout NCHW; these kernels handle ONE image (the host loops over / offsets by the batch index).
#include "common.cuh"

// col[(ci*r + ki)*s + kj, oy*ow + ox] = x[ci, oy*stride - pad + ki, ox*stride - pad + kj] (0 outside).
// x is one image [c, h, w]; col is [c*r*s, oh*ow].
// Launch: block 256, grid min(ceil(c*r*s*oh*ow/256), 65535), grid-stride.
extern "C" __global__ void vrfm_im2col(const float* __restrict__ x, float* __restrict__ col,
                                       int c, int h, int w, int r, int s, int stride, int pad, int oh, int ow) {
    const long long ohw = (long long)oh * ow;
    const long long total = (long long)c * r * s * ohw;
    VRFM_GRID_LOOP(t, total) {
        long long row = t / ohw, p = t % ohw;
        int kj = (int)(row % s), ki = (int)((row / s) % r), ci = (int)(row / ((long long)r * s));
        int oy = (int)(p / ow), ox = (int)(p % ow);
        int iy = oy * stride - pad + ki, ix = ox * stride - pad + kj;
        col[t] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[((long long)ci * h + iy) * w + ix] : 0.0f;
    }
}

// gx[ci, iy, ix] = sum over (ki, kj) with iy = oy*stride - pad + ki, ix = ox*stride - pad + kj of
// col[(ci*r + ki)*s + kj, oy*ow + ox]  (overwrites gx; a gather, so no atomics, deterministic).
// Launch: block 256, grid min(ceil(c*h*w/256), 65535), grid-stride.
extern "C" __global__ void vrfm_col2im(const float* __restrict__ col, float* __restrict__ gx,
                                       int c, int h, int w, int r, int s, int stride, int pad, int oh, int ow) {
    const long long total = (long long)c * h * w;
    const long long ohw = (long long)oh * ow;
    VRFM_GRID_LOOP(t, total) {
        int ix = (int)(t % w), iy = (int)((t / w) % h), ci = (int)(t / ((long long)h * w));
        float acc = 0.0f;
        for (int ki = 0; ki < r; ++ki) {
            int ty = iy + pad - ki;
            if (ty < 0 || ty % stride != 0) continue;
            int oy = ty / stride;
            if (oy >= oh) continue;
            for (int kj = 0; kj < s; ++kj) {
                int tx = ix + pad - kj;
                if (tx < 0 || tx % stride != 0) continue;
                int ox = tx / stride;
                if (ox >= ow) continue;
                acc += col[((long long)(ci * r + ki) * s + kj) * ohw + (long long)oy * ow + ox];
            }
        }
        gx[t] = acc;
    }
}

// y[p, i, j] = mean of x[p, i*k + a, j*k + b] for a, b < k; output (h/k) x (w/k) (floor).
// Launch: block 256, grid min(ceil(planes*(h/k)*(w/k)/256), 65535), grid-stride.
extern "C" __global__ void vrfm_avgpool_fwd(const float* __restrict__ x, float* __restrict__ y,
                                            int planes, int h, int w, int k) {
    const int oh = h / k, ow = w / k;
    const long long total = (long long)planes * oh * ow;
    const float inv = 1.0f / (float)(k * k);
    VRFM_GRID_LOOP(t, total) {
        int j = (int)(t % ow), i = (int)((t / ow) % oh);
        long long p = t / ((long long)oh * ow);
        const float* xp = x + p * h * w;
        float acc = 0.0f;
        for (int a = 0; a < k; ++a)
            for (int b = 0; b < k; ++b) acc += xp[(long long)(i * k + a) * w + j * k + b];
        y[t] = acc * inv;
    }
}

// gx[p, y, x] = gy[p, y/k, x/k] / k^2 inside the pooled area, 0 in the remainder rows/cols.
// Launch: block 256, grid min(ceil(planes*h*w/256), 65535), grid-stride.
extern "C" __global__ void vrfm_avgpool_bwd(const float* __restrict__ gy, float* __restrict__ gx,
                                            int planes, int h, int w, int k) {
    const int oh = h / k, ow = w / k;
    const long long total = (long long)planes * h * w;
    const float inv = 1.0f / (float)(k * k);
    VRFM_GRID_LOOP(t, total) {
        int xx = (int)(t % w), yy = (int)((t / w) % h);
        long long p = t / ((long long)h * w);
        int i = yy / k, j = xx / k;
        gx[t] = (i < oh && j < ow) ? gy[(p * oh + i) * ow + j] * inv : 0.0f;
    }
}

// y[p, i, j] = x[p, i/f, j/f], y is (h*f) x (w*f).
// Launch: block 256, grid min(ceil(planes*h*f*w*f/256), 65535), grid-stride.
extern "C" __global__ void vrfm_upsample_fwd(const float* __restrict__ x, float* __restrict__ y,
                                             int planes, int h, int w, int f) {
    const int H = h * f, W = w * f;
    const long long total = (long long)planes * H * W;
    VRFM_GRID_LOOP(t, total) {
        int j = (int)(t % W), i = (int)((t / W) % H);
        long long p = t / ((long long)H * W);
        y[t] = x[(p * h + i / f) * w + j / f];
    }
}

// gx[p, i, j] = sum_{a,b<f} gy[p, i*f + a, j*f + b].
// Launch: block 256, grid min(ceil(planes*h*w/256), 65535), grid-stride.
extern "C" __global__ void vrfm_upsample_bwd(const float* __restrict__ gy, float* __restrict__ gx,
                                             int planes, int h, int w, int f) {
    const int W = w * f;
    const long long total = (long long)planes * h * w;
    VRFM_GRID_LOOP(t, total) {
        int j = (int)(t % w), i = (int)((t / w) % h);
        long long p = t / ((long long)h * w);
        const float* g = gy + (p * h * f + (long long)i * f) * W + (long long)j * f;
        float acc = 0.0f;
        for (int a = 0; a < f; ++a)
            for (int b = 0; b < f; ++b) acc += g[(long long)a * W + b];
        gx[t] = acc;
    }
}

// y (contiguous, shape d.shape) [idx] = x[idx . d.sa], d.sa[i] = input stride of input axis perm[i].
// Launch: block 256, grid min(ceil(n/256), 65535), grid-stride.
extern "C" __global__ void vrfm_permute(const float* __restrict__ x, float* __restrict__ y, long long n, VrfmDesc d) {
    VRFM_GRID_LOOP(t, n) {
        long long rem = t, off = 0;
        for (int ax = d.rank - 1; ax >= 0; --ax) {
            long long idx = rem % d.shape[ax];
            rem /= d.shape[ax];
            off += idx * d.sa[ax];
        }
        y[t] = x[off];
    }
}
