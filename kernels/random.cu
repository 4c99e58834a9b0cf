// CPU twin: io.vrfm.backend.cpu.CpuRandom
// random.cu - counter-based Philox-4x32-10 exactly as io.vrfm.backend.Philox (bit-for-bit for bits()).
// Semantics: io.vrfm.backend.Backend#randomUniform / #randomNormal.
#include "common.cuh"

// First output word of Philox-4x32-10 for counter (idx_lo, idx_hi, 0, 0) and key (seed_lo, seed_hi).
static __device__ __forceinline__ unsigned int vrfm_philox_bits(unsigned long long seed, unsigned long long idx) {
    unsigned int c0 = (unsigned int)idx, c1 = (unsigned int)(idx >> 32), c2 = 0u, c3 = 0u;
    unsigned int k0 = (unsigned int)seed, k1 = (unsigned int)(seed >> 32);
#pragma unroll
    for (int round = 0; round < 10; ++round) {
        unsigned int hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        unsigned int hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        unsigned int n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c0;
}

// Uniform in (0, 1) from the top 24 bits: ((bits >>> 8) + 0.5) / 2^24 (exact in float32).
static __device__ __forceinline__ float vrfm_philox_uniform(unsigned long long seed, unsigned long long idx) {
    return ((float)(vrfm_philox_bits(seed, idx) >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

// y[i] = uniform(seed, counter + i).  Launch: block 256, grid min(ceil(n/256), 65535), grid-stride loop.
extern "C" __global__ void vrfm_random_uniform(float* __restrict__ y, long long n,
                                               unsigned long long seed, unsigned long long counter) {
    VRFM_GRID_LOOP(i, n) { y[i] = vrfm_philox_uniform(seed, counter + (unsigned long long)i); }
}

// y[i] = normal(seed, counter + i): Box-Muller (cosine branch) on uniforms at counters 2j and 2j+1,
// j = counter + i, under key seed ^ NORMAL_KEY_SALT (Philox.NORMAL_KEY_SALT: normal and uniform streams of one
// seed never share counters). log and cos are evaluated in double and rounded to float, like Philox.normal in Java
// (Math.log / Math.cos), so results agree to the last bit in almost every element.
// Launch: as vrfm_random_uniform.
extern "C" __global__ void vrfm_random_normal(float* __restrict__ y, long long n,
                                              unsigned long long seed, unsigned long long counter) {
    VRFM_GRID_LOOP(i, n) {
        unsigned long long j = counter + (unsigned long long)i;
        unsigned long long key = seed ^ 0x9E3779B97F4A7C15ull;
        float u1 = vrfm_philox_uniform(key, 2ull * j);
        float u2 = vrfm_philox_uniform(key, 2ull * j + 1ull);
        float lg = (float)log((double)u1);
        float r = sqrtf(-2.0f * lg);
        float ang = 6.2831855f * u2;
        y[i] = r * (float)cos((double)ang);
    }
}

// y[i] = bits(seed, counter + i) reinterpreted as float (test hook: exact bit comparison with Philox.bits).
// Launch: as vrfm_random_uniform.
extern "C" __global__ void vrfm_random_bits(float* __restrict__ y, long long n,
                                            unsigned long long seed, unsigned long long counter) {
    VRFM_GRID_LOOP(i, n) { y[i] = __uint_as_float(vrfm_philox_bits(seed, counter + (unsigned long long)i)); }
}
