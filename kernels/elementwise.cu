// CPU twin: io.vrfm.backend.cpu.CpuElementwise
// elementwise.cu - unary ops (forward and backward), broadcast binary ops, fill, strided 2-D copy.
// Semantics: io.vrfm.backend.Backend#unary / #unaryBackward / #binary / #fill / #copy2d.
#include "common.cuh"

// UnaryOp ordinals (io.vrfm.backend.UnaryOp; keep in this order).
enum {
    U_NEG, U_EXP, U_LOG, U_SQRT, U_ABS, U_RELU, U_GELU_TANH, U_GELU_ERF, U_SILU, U_SIGMOID,
    U_TANH, U_SIN, U_COS, U_POW, U_CLAMP, U_AFFINE, U_GREATER_THAN, U_SQUARE
};
// BinaryOp ordinals (io.vrfm.backend.BinaryOp).
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_EQUAL };

#define VRFM_SQRT_2_OVER_PI 0.7978845608028654f
#define VRFM_INV_SQRT_2 0.7071067811865476f
#define VRFM_INV_SQRT_2PI 0.3989422804014327f

static __device__ __forceinline__ float vrfm_unary(int op, float x, float p0, float p1) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_SQRT: return sqrtf(x);
        case U_ABS: return fabsf(x);
        case U_RELU: return x > 0.0f ? x : 0.0f;
        case U_GELU_TANH: {
            float u = VRFM_SQRT_2_OVER_PI * (x + 0.044715f * x * x * x);
            return 0.5f * x * (1.0f + tanhf(u));
        }
        case U_GELU_ERF: return 0.5f * x * (1.0f + erff(x * VRFM_INV_SQRT_2));
        case U_SILU: return x / (1.0f + expf(-x));
        case U_SIGMOID: return 1.0f / (1.0f + expf(-x));
        case U_TANH: return tanhf(x);
        case U_SIN: return sinf(x);
        case U_COS: return cosf(x);
        case U_POW: return powf(x, p0);
        case U_CLAMP: return fminf(fmaxf(x, p0), p1);
        case U_AFFINE: return p0 * x + p1;
        case U_GREATER_THAN: return x > p0 ? 1.0f : 0.0f;
        case U_SQUARE: return x * x;
        default: return __int_as_float(0x7fc00000);  // NaN marks an unknown op
    }
}

// d op / dx at x (y = forward output).
static __device__ __forceinline__ float vrfm_unary_grad(int op, float x, float y, float p0, float p1) {
    switch (op) {
        case U_NEG: return -1.0f;
        case U_EXP: return y;
        case U_LOG: return 1.0f / x;
        case U_SQRT: return 0.5f / y;
        case U_ABS: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
        case U_RELU: return x > 0.0f ? 1.0f : 0.0f;
        case U_GELU_TANH: {
            float u = VRFM_SQRT_2_OVER_PI * (x + 0.044715f * x * x * x);
            float t = tanhf(u);
            float du = VRFM_SQRT_2_OVER_PI * (1.0f + 3.0f * 0.044715f * x * x);
            return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
        }
        case U_GELU_ERF:
            return 0.5f * (1.0f + erff(x * VRFM_INV_SQRT_2)) + x * expf(-0.5f * x * x) * VRFM_INV_SQRT_2PI;
        case U_SILU: {
            float s = 1.0f / (1.0f + expf(-x));
            return s * (1.0f + x * (1.0f - s));
        }
        case U_SIGMOID: return y * (1.0f - y);
        case U_TANH: return 1.0f - y * y;
        case U_SIN: return cosf(x);
        case U_COS: return -sinf(x);
        case U_POW: return p0 * powf(x, p0 - 1.0f);
        case U_CLAMP: return (x >= p0 && x <= p1) ? 1.0f : 0.0f;
        case U_AFFINE: return p0;
        case U_GREATER_THAN: return 0.0f;
        case U_SQUARE: return 2.0f * x;
        default: return __int_as_float(0x7fc00000);
    }
}

// y[i] = op(x[i]; p0, p1).  Launch: block 256, grid min(ceil(n/256), 65535), grid-stride loop.
extern "C" __global__ void vrfm_unary_fwd(int op, const float* __restrict__ x, float* __restrict__ y,
                                          long long n, float p0, float p1) {
    VRFM_GRID_LOOP(i, n) { y[i] = vrfm_unary(op, x[i], p0, p1); }
}

// gx[i] = gy[i] * op'(x[i]).  Launch: as vrfm_unary_fwd.
extern "C" __global__ void vrfm_unary_bwd(int op, const float* __restrict__ x, const float* __restrict__ y,
                                          const float* __restrict__ gy, float* __restrict__ gx,
                                          long long n, float p0, float p1) {
    VRFM_GRID_LOOP(i, n) {
        float g = vrfm_unary_grad(op, x[i], y[i], p0, p1);
        gx[i] = (op == U_GREATER_THAN) ? 0.0f : gy[i] * g;
    }
}

static __device__ __forceinline__ float vrfm_binary(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_MAX: return fmaxf(a, b);
        case B_EQUAL: return a == b ? 1.0f : 0.0f;
        default: return __int_as_float(0x7fc00000);
    }
}

// out[idx] = op(a[idx . d.sa], b[idx . d.sb]) over the multi-index idx of d.shape (stride 0 broadcasts).
// n = product of d.shape.  Launch: block 256, grid min(ceil(n/256), 65535), grid-stride loop.
extern "C" __global__ void vrfm_binary_bcast(int op, const float* __restrict__ a, const float* __restrict__ b,
                                             float* __restrict__ out, long long n, VrfmDesc d) {
    VRFM_GRID_LOOP(i, n) {
        long long rem = i, oa = 0, ob = 0;
        for (int ax = d.rank - 1; ax >= 0; --ax) {
            long long idx = rem % d.shape[ax];
            rem /= d.shape[ax];
            oa += idx * d.sa[ax];
            ob += idx * d.sb[ax];
        }
        out[i] = vrfm_binary(op, a[oa], b[ob]);
    }
}

// Same-shape fast path: out[i] = op(a[i], b[i]).  Launch: as vrfm_unary_fwd.
extern "C" __global__ void vrfm_binary_same(int op, const float* __restrict__ a, const float* __restrict__ b,
                                            float* __restrict__ out, long long n) {
    VRFM_GRID_LOOP(i, n) { out[i] = vrfm_binary(op, a[i], b[i]); }
}

// y[i] = v.  Launch: as vrfm_unary_fwd.
extern "C" __global__ void vrfm_fill(float* __restrict__ y, long long n, float v) {
    VRFM_GRID_LOOP(i, n) { y[i] = v; }
}

// dst[r*dstStride + c] = src[r*srcStride + c] for r < rows, c < cols (pointers already offset).
// Launch: block 256, grid min(ceil(rows*cols/256), 65535), grid-stride loop over rows*cols.
extern "C" __global__ void vrfm_copy2d(const float* __restrict__ src, int srcStride, float* __restrict__ dst,
                                       int dstStride, int rows, int cols) {
    long long total = (long long)rows * cols;
    VRFM_GRID_LOOP(i, total) {
        long long r = i / cols, c = i % cols;
        dst[r * dstStride + c] = src[r * srcStride + c];
    }
}
