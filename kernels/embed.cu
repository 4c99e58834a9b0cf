// CPU twin: io.vrfm.backend.cpu.CpuEmbed
// embed.cu - row gather and scatter-add (embedding tables). Indices are floats holding exact integers.
// Semantics: io.vrfm.backend.Backend#gatherRows / #scatterAddRows.
// An index outside [0, rows) yields a zero row (gather) or is skipped (scatter); the host checks ranges
// where it can afford to.
#include "common.cuh"

// out[i, j] = table[index[i], j].  Launch: block 256, grid min(ceil(count*cols/256), 65535), grid-stride.
extern "C" __global__ void vrfm_gather_rows(const float* __restrict__ table, int rows, int cols,
                                            const float* __restrict__ index, int count, float* __restrict__ out) {
    long long total = (long long)count * cols;
    VRFM_GRID_LOOP(t, total) {
        long long i = t / cols, j = t % cols;
        int r = (int)index[i];
        out[t] = (r >= 0 && r < rows) ? table[(long long)r * cols + j] : 0.0f;
    }
}

// gTable[index[i], j] += gOut[i, j] with atomicAdd (repeated indices accumulate; order is not fixed).
// Launch: block 256, grid min(ceil(count*cols/256), 65535), grid-stride.
extern "C" __global__ void vrfm_scatter_add_rows(const float* __restrict__ gOut, const float* __restrict__ index,
                                                 int count, int cols, float* __restrict__ gTable, int rows) {
    long long total = (long long)count * cols;
    VRFM_GRID_LOOP(t, total) {
        long long i = t / cols, j = t % cols;
        int r = (int)index[i];
        if (r >= 0 && r < rows) atomicAdd(&gTable[(long long)r * cols + j], gOut[t]);
    }
}
