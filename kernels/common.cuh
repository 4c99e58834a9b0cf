// common.cuh - helpers shared by every kernel family (device code only, no host code).
// Included by each kernels/*.cu file; under the host-emulation harness (src/test/cuda/cuda_emu.h)
// the same text compiles as C++20.
#ifndef VRFM_COMMON_CUH
#define VRFM_COMMON_CUH

#define VRFM_MAX_RANK 8

// Broadcast / permutation descriptor passed BY VALUE as a kernel parameter (25 ints = 100 bytes).
// rank <= VRFM_MAX_RANK; shape is the output shape; sa/sb are element strides of the two inputs
// (for permute only sa is used: the input stride of each OUTPUT axis).
struct VrfmDesc {
    int rank;
    int shape[VRFM_MAX_RANK];
    int sa[VRFM_MAX_RANK];
    int sb[VRFM_MAX_RANK];
};

// Sum over a warp: every lane of a full warp must call it.
static __device__ __forceinline__ float vrfm_warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;  // lane 0 holds the total
}

static __device__ __forceinline__ float vrfm_warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_down_sync(0xffffffffu, v, o));
    return v;  // lane 0 holds the max
}

// Block-wide sum; blockDim.x must be a multiple of 32 and <= 1024. Every thread gets the total.
// `scratch` is a __shared__ float[33] owned by the caller (one slot per warp + broadcast slot).
static __device__ __forceinline__ float vrfm_block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = vrfm_warp_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float t = lane < nwarps ? scratch[lane] : 0.0f;
        t = vrfm_warp_sum(t);
        if (lane == 0) scratch[32] = t;
    }
    __syncthreads();
    float total = scratch[32];
    __syncthreads();  // scratch may be reused by the caller right away
    return total;
}

static __device__ __forceinline__ float vrfm_block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = vrfm_warp_max(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float t = lane < nwarps ? scratch[lane] : -INFINITY;
        t = vrfm_warp_max(t);
        if (lane == 0) scratch[32] = t;
    }
    __syncthreads();
    float total = scratch[32];
    __syncthreads();
    return total;
}

// Grid-stride loop over [0, n) with 64-bit indices.
#define VRFM_GRID_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long)blockDim.x * gridDim.x)

#endif
