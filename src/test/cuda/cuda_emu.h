// cuda_emu.h - lets kernels/*.cu compile as plain C++20 (g++) and run on the CPU, for tests without a GPU.
// Blocks run one at a time; every CUDA thread of a block is a std::thread, so __shared__ can be `static`.
// __syncthreads is a block-wide std::barrier, warp shuffles exchange through a per-warp slot array between
// two warp barriers, atomics are std::atomic_ref. A thread that returns early drops out of both barriers.
#pragma once
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <math.h>
#include <type_traits>
#include <memory>
#include <thread>
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
struct Warp { std::barrier<> bar; int size; uint64_t slot[32]; explicit Warp(int n) : bar(n), size(n) {} };
struct Block { std::barrier<> bar; std::vector<std::unique_ptr<Warp>> warps; explicit Block(int n) : bar(n) {} };
inline thread_local Block* tBlock = nullptr;
inline thread_local Warp* tWarp = nullptr;
inline thread_local int tLane = 0;
}  // namespace emu

inline thread_local uint3 threadIdx;
inline uint3 blockIdx;
inline dim3 blockDim, gridDim;

inline void __syncthreads() { emu::tBlock->bar.arrive_and_wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu::tWarp->bar.arrive_and_wait(); }

template <class T> inline T emu_shfl(T v, int src) {
    static_assert(sizeof(T) <= 8, "shuffle of a type wider than 8 bytes");
    emu::Warp* w = emu::tWarp;
    std::memcpy(&w->slot[emu::tLane], &v, sizeof(T));
    w->bar.arrive_and_wait();
    T r = v;
    if (src >= 0 && src < w->size) std::memcpy(&r, &w->slot[src], sizeof(T));
    w->bar.arrive_and_wait();
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
// Runs `body` (the kernel call) as grid x block CUDA threads. One std::thread per CUDA thread of a block, reused
// for every block; blocks run one after another (fresh barriers each, so early-returning threads are dropped).
template <class F> void launch(dim3 grid, dim3 block, F&& body) {
    gridDim = grid;
    blockDim = block;
    const int nt = (int)(block.x * block.y * block.z);
    std::barrier<> start(nt + 1), end(nt + 1);
    std::unique_ptr<Block> blk;
    bool done = false;
    std::vector<std::thread> threads;
    threads.reserve(nt);
    for (int t = 0; t < nt; ++t)
        threads.emplace_back([&, t] {
            threadIdx = uint3{t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
            tLane = t % 32;
            for (;;) {
                start.arrive_and_wait();
                if (done) return;
                tBlock = blk.get();
                tWarp = blk->warps[t / 32].get();
                body();
                tWarp->bar.arrive_and_drop();
                tBlock->bar.arrive_and_drop();
                end.arrive_and_wait();
            }
        });
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                blockIdx = uint3{bx, by, bz};
                blk.reset(new Block(nt));
                for (int w = 0; w < (nt + 31) / 32; ++w) blk->warps.emplace_back(new Warp(std::min(32, nt - 32 * w)));
                start.arrive_and_wait();
                end.arrive_and_wait();
            }
    done = true;
    start.arrive_and_wait();
    for (auto& th : threads) th.join();
}
}  // namespace emu
