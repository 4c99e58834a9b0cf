// cublas13_standin.cpp - a stand-in libcublas.so.13 for testing the FFM binding (Cublas13) without a GPU.
// Built by Cublas13StandInTest: g++ -shared -fPIC -Wl,-soname,libcublas.so.13 -o .../libcublas.so.13
// It exports the cuBLAS 13 symbols the engine binds, with cuBLAS's C signatures and argument checks, and computes
// the GEMMs on the host (column-major, as cuBLAS; "device pointers" are host pointers here). In TF32 math mode
// it rounds A and B to TF32 (round to nearest, ties away, 10 mantissa bits), so the math mode is observable.
// standin_* functions are test hooks (the handle's stream and math mode, call counters, live handles).
#include <cmath>
#include <cstdint>
#include <cstring>

extern "C" {

typedef int cublasStatus_t;
enum { OK = 0, NOT_INITIALIZED = 1, INVALID_VALUE = 7 };
enum { OP_N = 0, OP_T = 1 };
struct StandinHandle { uint32_t magic; void* stream; int math; };
typedef StandinHandle* cublasHandle_t;
static const uint32_t MAGIC = 0xC0B1A513u;
static int live = 0, sgemmCalls = 0, stridedCalls = 0;

cublasStatus_t cublasCreate_v2(cublasHandle_t* h) {
    if (!h) return INVALID_VALUE;
    *h = new StandinHandle{MAGIC, nullptr, 0};
    ++live;
    return OK;
}

static bool valid(cublasHandle_t h) { return h && h->magic == MAGIC; }

cublasStatus_t cublasDestroy_v2(cublasHandle_t h) {
    if (!valid(h)) return NOT_INITIALIZED;
    h->magic = 0;
    delete h;
    --live;
    return OK;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t h, void* stream) {
    if (!valid(h)) return NOT_INITIALIZED;
    h->stream = stream;
    return OK;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t h, int mode) {
    if (!valid(h)) return NOT_INITIALIZED;
    if (mode < 0 || mode > 3) return INVALID_VALUE;
    h->math = mode;
    return OK;
}

const char* cublasGetStatusString(cublasStatus_t s) {
    switch (s) {
        case OK: return "stand-in: success";
        case NOT_INITIALIZED: return "stand-in: the library was not initialized";
        case INVALID_VALUE: return "stand-in: an unsupported value or parameter was passed to the function";
        default: return "stand-in: unknown status";
    }
}

static float tf32(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
    std::memcpy(&x, &u, 4);
    return x;
}

static cublasStatus_t gemm(cublasHandle_t h, int ta, int tb, int m, int n, int k, const float* alpha,
                           const float* A, int lda, long long sA, const float* B, int ldb, long long sB,
                           const float* beta, float* C, int ldc, long long sC, int batch) {
    if (!valid(h)) return NOT_INITIALIZED;
    if ((ta != OP_N && ta != OP_T) || (tb != OP_N && tb != OP_T) || m < 0 || n < 0 || k < 0 || batch < 0) return INVALID_VALUE;
    int aRows = ta == OP_N ? m : k, bRows = tb == OP_N ? k : n;
    if (lda < (aRows > 1 ? aRows : 1) || ldb < (bRows > 1 ? bRows : 1) || ldc < (m > 1 ? m : 1)) return INVALID_VALUE;
    if (!alpha || !beta) return INVALID_VALUE;
    const bool round = h->math == 3;
    for (int z = 0; z < batch; ++z) {
        const float* a = A + z * sA;
        const float* b = B + z * sB;
        float* c = C + z * sC;
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < m; ++i) {
                double s = 0;
                for (int p = 0; p < k; ++p) {
                    float av = ta == OP_N ? a[i + (long long)p * lda] : a[p + (long long)i * lda];
                    float bv = tb == OP_N ? b[p + (long long)j * ldb] : b[j + (long long)p * ldb];
                    if (round) { av = tf32(av); bv = tf32(bv); }
                    s += (double)av * bv;
                }
                float* out = &c[i + (long long)j * ldc];
                float v = (float)(*alpha * s);
                *out = *beta == 0.0f ? v : v + *beta * *out;  // beta == 0 never reads C, as cuBLAS
            }
    }
    return OK;
}

cublasStatus_t cublasSgemm_v2(cublasHandle_t h, int ta, int tb, int m, int n, int k, const float* alpha,
                              const float* A, int lda, const float* B, int ldb, const float* beta, float* C, int ldc) {
    ++sgemmCalls;
    return gemm(h, ta, tb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, int ta, int tb, int m, int n, int k, const float* alpha,
                                         const float* A, int lda, long long strideA, const float* B, int ldb,
                                         long long strideB, const float* beta, float* C, int ldc, long long strideC,
                                         int batchCount) {
    ++stridedCalls;
    return gemm(h, ta, tb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount);
}

void* standin_stream(cublasHandle_t h) { return valid(h) ? h->stream : nullptr; }
int standin_math_mode(cublasHandle_t h) { return valid(h) ? h->math : -1; }
int standin_live_handles() { return live; }
int standin_sgemm_calls() { return sgemmCalls; }
int standin_strided_calls() { return stridedCalls; }

}  // extern "C"
