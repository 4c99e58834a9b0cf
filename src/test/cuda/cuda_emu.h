// cuda_emu.h - lets kernels/*.cu compile as plain C++20 (g++) and run on the CPU, for tests without a GPU.
// Blocks run one at a time; every CUDA thread of a block is a fiber on the launching OS thread, so __shared__ can
// be `static`. __syncthreads and __syncwarp suspend the fiber until every live thread (lane) of the block (warp)
// has arrived, warp shuffles exchange through a per-thread slot array between two warp barriers, atomics are
// std::atomic_ref. A thread that returns early drops out of both barriers. See emu::launch at the end.
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <math.h>
#include <type_traits>
#include <memory>
#include <pthread.h>
#include <ucontext.h>
#include <utility>
#include <vector>

struct uint3 { unsigned x = 0, y = 0, z = 0; };
struct dim3 { unsigned x, y, z; dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {} };

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
constexpr int warpSize = 32;

namespace emu {
enum : int { kRunnable, kAtBlockBarrier, kAtWarpBarrier, kDone };
inline int tThread = 0;   // the running CUDA thread's index in its block (set by launch before each switch)
inline int tLane = 0;
inline void barrier(int state);
inline uint64_t shuffleSlot[1024];   // one exchange slot per thread of the block, for the shuffles
}  // namespace emu

inline uint3 threadIdx;
inline uint3 blockIdx;
inline dim3 blockDim, gridDim;

inline void __syncthreads();
inline void __syncwarp(unsigned = 0xffffffffu);

template <class T> inline T emu_shfl(T v, int src) {
    static_assert(sizeof(T) <= 8, "shuffle of a type wider than 8 bytes");
    const int base = emu::tThread - emu::tLane;
    const int size = std::min(32, (int)(blockDim.x * blockDim.y * blockDim.z) - base);
    std::memcpy(&emu::shuffleSlot[emu::tThread], &v, sizeof(T));
    emu::barrier(emu::kAtWarpBarrier);
    T r = v;
    if (src >= 0 && src < size) std::memcpy(&r, &emu::shuffleSlot[base + src], sizeof(T));
    emu::barrier(emu::kAtWarpBarrier);
    return r;
}
template <class T> inline T __shfl_down_sync(unsigned, T v, unsigned d, int = 32) { return emu_shfl(v, emu::tLane + (int)d); }
template <class T> inline T __shfl_xor_sync(unsigned, T v, int m, int = 32) { return emu_shfl(v, emu::tLane ^ m); }
template <class T> inline T __shfl_sync(unsigned, T v, int l, int = 32) { return emu_shfl(v, l); }

inline float atomicAdd(float* p, float v) { return std::atomic_ref<float>(*p).fetch_add(v); }
inline int atomicAdd(int* p, int v) { return std::atomic_ref<int>(*p).fetch_add(v); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline float __uint_as_float(unsigned i) { float f; std::memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
inline unsigned __float_as_uint(float f) { unsigned i; std::memcpy(&i, &f, 4); return i; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }
template <class T> inline T __ldg(const T* p) { return *p; }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }

// WMMA (nvcuda::wmma, <mma.h>), the TF32 m16n16k8 shape the kernels use. Emulation model: every lane of the
// warp holds the whole fragment (num_elements is the full tile, not the per-lane share), so element-wise code
// over x[0..num_elements) still works; loads and mma_sync are per lane, store_matrix_sync is lane 0's write
// between two warp barriers. Hardware constraints are checked: 256-bit aligned pointers, ldm a multiple of 4
// floats. mma_sync reads only the TF32 bits of A and B (the tensor cores ignore the low 13 mantissa bits; a
// kernel must round with __float_to_tf32 first) and accumulates in FP32 in k order.
namespace nvcuda {
namespace wmma {
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
namespace precision { struct tf32 {}; }
enum layout_t { mem_row_major, mem_col_major };

// cvt.rna.tf32.f32: round to nearest (ties away from zero) to 10 mantissa bits; Inf and NaN unchanged.
inline float __float_to_tf32(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
    std::memcpy(&x, &u, 4);
    return x;
}
inline float emu_tf32_bits(float x) {  // what the tensor core reads: the TF32 bits only
    uint32_t u;
    std::memcpy(&u, &x, 4);
    u &= 0xffffe000u;
    std::memcpy(&x, &u, 4);
    return x;
}

template <class Use, int M, int N, int K, class T, class Layout = void> struct fragment {
    static_assert(M == 16 && N == 16 && K == 8, "emulated WMMA: only the TF32 shape m16n16k8");
    static constexpr int rows = std::is_same_v<Use, matrix_b> ? K : M;
    static constexpr int cols = std::is_same_v<Use, matrix_a> ? K : N;
    static constexpr int num_elements = rows * cols;
    float x[num_elements];
};

inline void emu_check_ptr(const void* p, unsigned ldm, const char* what) {
    if (reinterpret_cast<uintptr_t>(p) % 32 != 0 || ldm % 4 != 0) {
        std::fprintf(stderr, "wmma::%s: pointer %p must be 256-bit aligned and ldm %u a multiple of 4\n", what, p, ldm);
        std::abort();
    }
}

template <class Use, int M, int N, int K, class T, class L>
inline void fill_fragment(fragment<Use, M, N, K, T, L>& f, float v) {
    for (int i = 0; i < f.num_elements; ++i) f.x[i] = v;
}

template <class Use, int M, int N, int K, class T, class L>
inline void load_matrix_sync(fragment<Use, M, N, K, T, L>& f, const float* p, unsigned ldm) {
    static_assert(!std::is_same_v<Use, accumulator>, "accumulator loads take a layout");
    emu_check_ptr(p, ldm, "load_matrix_sync");
    using F = fragment<Use, M, N, K, T, L>;
    for (int r = 0; r < F::rows; ++r)
        for (int c = 0; c < F::cols; ++c)
            f.x[r * F::cols + c] = std::is_same_v<L, row_major> ? p[(size_t)r * ldm + c] : p[(size_t)c * ldm + r];
}

template <int M, int N, int K>
inline void load_matrix_sync(fragment<accumulator, M, N, K, float>& f, const float* p, unsigned ldm, layout_t l) {
    emu_check_ptr(p, ldm, "load_matrix_sync");
    for (int r = 0; r < M; ++r)
        for (int c = 0; c < N; ++c) f.x[r * N + c] = l == mem_row_major ? p[(size_t)r * ldm + c] : p[(size_t)c * ldm + r];
}

// Every lane holds the same tile; lane 0 writes it, and the warp barrier after it publishes the write to the warp.
template <int M, int N, int K>
inline void store_matrix_sync(float* p, const fragment<accumulator, M, N, K, float>& f, unsigned ldm, layout_t l) {
    emu_check_ptr(p, ldm, "store_matrix_sync");
    __syncwarp();
    if (emu::tLane == 0)
        for (int r = 0; r < M; ++r)
            for (int c = 0; c < N; ++c) (l == mem_row_major ? p[(size_t)r * ldm + c] : p[(size_t)c * ldm + r]) = f.x[r * N + c];
    __syncwarp();
}

template <int M, int N, int K, class LA, class LB>
inline void mma_sync(fragment<accumulator, M, N, K, float>& d, const fragment<matrix_a, M, N, K, precision::tf32, LA>& a,
                     const fragment<matrix_b, M, N, K, precision::tf32, LB>& b,
                     const fragment<accumulator, M, N, K, float>& c) {
    float out[M * N];
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float s = c.x[i * N + j];
            for (int p = 0; p < K; ++p) s += emu_tf32_bits(a.x[i * K + p]) * emu_tf32_bits(b.x[p * N + j]);
            out[i * N + j] = s;
        }
    std::memcpy(d.x, out, sizeof out);
}
}  // namespace wmma
}  // namespace nvcuda

namespace emu {
// Runs `body` (the kernel call) as grid x block CUDA threads. Each CUDA thread of a block is a fiber (ucontext) on
// the calling OS thread: it runs until it reaches a barrier (__syncthreads, __syncwarp, a shuffle) or returns, and a
// barrier releases when every thread (warp lane) still running has reached it, so early-returning threads are
// dropped as with CUDA. Blocks run one after another; even blocks sweep their threads in index order, odd blocks in
// reverse, so a missing barrier between a write and another thread's read shows up whichever of the two runs first.
// (One OS thread per CUDA thread, the previous design, spent most of its time in context switches: 4.8 million for
// one test class.)
struct Fiber {
    ucontext_t ctx;
    char* stack = nullptr;
    int state = kDone;
    uint3 idx;
};
inline constexpr size_t kFiberStack = 256 * 1024;   // kernels' locals, with ASan's red zones
struct Sched {
    ucontext_t main;
    std::vector<Fiber> fibers;
    int current = -1;
    void (*invoke)(void*) = nullptr;
    void* body = nullptr;
    ~Sched() { for (Fiber& f : fibers) std::free(f.stack); }
};
inline Sched& sched() { static thread_local Sched s; return s; }

#if defined(__SANITIZE_ADDRESS__)
}  // namespace emu
#include <sanitizer/common_interface_defs.h>
namespace emu {
inline void switchTo(ucontext_t* from, ucontext_t* to, const void* stack, size_t size) {
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, stack, size);
    swapcontext(from, to);
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
}
#else
inline void switchTo(ucontext_t* from, ucontext_t* to, const void*, size_t) { swapcontext(from, to); }
#endif

// The main stack's bounds, for the sanitizer's switch annotations (any non-null range works when leaving a fiber
// only if it is the real one; glibc's pthread attributes give it).
inline std::pair<const void*, size_t> mainStack() {
    static thread_local std::pair<const void*, size_t> b = [] {
        pthread_attr_t a;
        void* addr = nullptr;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &a) == 0) {
            pthread_attr_getstack(&a, &addr, &size);
            pthread_attr_destroy(&a);
        }
        return std::pair<const void*, size_t>(addr, size);
    }();
    return b;
}

// Called by a fiber: mark it waiting (or done) and return to the scheduler.
inline void yield(int state) {
    Sched& s = sched();
    s.fibers[s.current].state = state;
    auto [stack, size] = mainStack();
    switchTo(&s.fibers[s.current].ctx, &s.main, stack, size);
}

inline void fiberEntry() {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
    Sched& s = sched();
    s.invoke(s.body);
    yield(kDone);
    std::abort();   // a finished fiber is never resumed
}

inline void barrier(int state) { yield(state); }
}  // namespace emu

inline void __syncthreads() { emu::barrier(emu::kAtBlockBarrier); }
inline void __syncwarp(unsigned) { emu::barrier(emu::kAtWarpBarrier); }

namespace emu {
template <class F> void launch(dim3 grid, dim3 block, F&& body) {
    gridDim = grid;
    blockDim = block;
    const int nt = (int)(block.x * block.y * block.z);
    if (nt > 1024) { std::fprintf(stderr, "emu: %d threads per block (CUDA allows 1024)\n", nt); std::abort(); }
    Sched& s = sched();
    if ((int)s.fibers.size() < nt) s.fibers.resize(nt);
    for (int t = 0; t < nt; ++t) {
        if (!s.fibers[t].stack) {
            s.fibers[t].stack = static_cast<char*>(std::malloc(kFiberStack));
            if (!s.fibers[t].stack) { std::fprintf(stderr, "emu: no memory for fiber stacks\n"); std::abort(); }
        }
        s.fibers[t].idx = uint3{t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
    }
    s.body = &body;
    s.invoke = [](void* b) { (*static_cast<std::remove_reference_t<F>*>(b))(); };
    const int warps = (nt + 31) / 32;
    std::vector<int> order(nt);
    long blockNo = 0;
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx, ++blockNo) {
                blockIdx = uint3{bx, by, bz};
                for (int t = 0; t < nt; ++t) {
                    Fiber& f = s.fibers[t];
                    getcontext(&f.ctx);
                    f.ctx.uc_stack.ss_sp = f.stack;
                    f.ctx.uc_stack.ss_size = kFiberStack;
                    f.ctx.uc_link = nullptr;
                    makecontext(&f.ctx, fiberEntry, 0);
                    f.state = kRunnable;
                    order[t] = blockNo % 2 == 0 ? t : nt - 1 - t;
                }
                for (int live = nt; live > 0;) {
                    bool ran = false;
                    for (int t : order) {
                        Fiber& f = s.fibers[t];
                        if (f.state != kRunnable) continue;
                        s.current = t;
                        threadIdx = f.idx;
                        tThread = t;
                        tLane = t % 32;
                        switchTo(&s.main, &f.ctx, f.stack, kFiberStack);
                        ran = true;
                        if (f.state == kDone) --live;
                    }
                    // release the barriers every live thread (lane) has reached
                    bool released = false;
                    for (int w = 0; w < warps; ++w) {
                        int lo = 32 * w, hi = std::min(nt, lo + 32), waiting = 0, alive = 0;
                        for (int t = lo; t < hi; ++t) {
                            int st = s.fibers[t].state;
                            if (st != kDone) ++alive;
                            if (st == kAtWarpBarrier) ++waiting;
                        }
                        if (alive > 0 && waiting == alive) {
                            for (int t = lo; t < hi; ++t) if (s.fibers[t].state == kAtWarpBarrier) s.fibers[t].state = kRunnable;
                            released = true;
                        }
                    }
                    int atBlock = 0;
                    for (int t = 0; t < nt; ++t) if (s.fibers[t].state == kAtBlockBarrier) ++atBlock;
                    if (live > 0 && atBlock == live) {
                        for (int t = 0; t < nt; ++t) if (s.fibers[t].state == kAtBlockBarrier) s.fibers[t].state = kRunnable;
                        released = true;
                    }
                    if (live > 0 && !ran && !released) {
                        std::fprintf(stderr, "emu: block (%u,%u,%u) deadlocked: threads wait at different barriers\n",
                                     bx, by, bz);
                        std::abort();
                    }
                }
            }
    s.current = -1;
}
}  // namespace emu
