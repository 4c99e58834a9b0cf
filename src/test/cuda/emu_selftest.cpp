// emu_selftest.cpp - checks the emulation header's scheduling on its own (CudaEmuSelfTest compiles and runs it):
// barriers, warp shuffles, early-returning threads, the alternating sweep order that exposes a missing barrier,
// and the deadlock report. Prints one "ok <name>" line per check, or "FAIL <name> ..." and exits 1.
#include "cuda_emu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

static int failures = 0;
static void check(bool ok, const char* name, const char* detail = "") {
    std::printf("%s %s %s\n", ok ? "ok" : "FAIL", name, detail);
    if (!ok) ++failures;
}

// block sum through shared memory: every thread writes, barrier, thread 0 adds (needs the barrier)
__global__ void blockSum(const float* x, float* out, bool withBarrier) {
    __shared__ float s[256];
    s[threadIdx.x] = x[blockIdx.x * blockDim.x + threadIdx.x];
    if (withBarrier) __syncthreads();
    if (threadIdx.x == 0) {
        float t = 0;
        for (unsigned i = 0; i < blockDim.x; ++i) t += s[i];
        out[blockIdx.x] = t;
    }
}

// warp reduction with shuffles; lanes past n return early (they drop out of the warp's barrier)
__global__ void warpSum(const float* x, float* out, int n) {
    int i = threadIdx.x;
    if (i >= n) return;
    float v = x[i];
    for (int d = 16; d > 0; d >>= 1) v += __shfl_down_sync(0xffffffffu, v, d);
    if (i % 32 == 0) out[i / 32] = v;
}

// tree reduction with a barrier per level, some threads returning before the first barrier
__global__ void treeSum(const float* x, float* out, int n) {
    __shared__ float s[128];
    unsigned i = threadIdx.x;
    s[i] = i < (unsigned)n ? x[i] : 0.f;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (i < half) s[i] += s[i + half];
        __syncthreads();
    }
    if (i == 0) out[0] = s[0];
}

// threads disagree about which barrier comes next: a kernel bug the scheduler must report, not hang on
__global__ void mismatched() {
    if (threadIdx.x < 16) __syncthreads();   // half of warp 0 here, the other half at its warp barrier
    else __syncwarp();
}

int main() {
    std::vector<float> x(512), out(2);
    for (int i = 0; i < 512; ++i) x[i] = (float)(i % 7) - 3.f + 0.25f * (float)(i % 3);
    float want0 = 0, want1 = 0;
    for (int i = 0; i < 256; ++i) want0 += x[i];
    for (int i = 256; i < 512; ++i) want1 += x[i];

    emu::launch(dim3(2), dim3(256), [&] { blockSum(x.data(), out.data(), true); });
    check(out[0] == want0 && out[1] == want1, "barrier");

    // without the barrier one of the two blocks (opposite sweep orders) reads slots not yet written this block
    std::vector<float> x2(512, 1.f);
    for (int i = 256; i < 512; ++i) x2[i] = 2.f;
    std::memset(out.data(), 0, 8);
    emu::launch(dim3(2), dim3(256), [&] { blockSum(x2.data(), out.data(), false); });
    check(out[0] != 256.f || out[1] != 512.f, "missing-barrier-shows");

    std::vector<float> w(4, -1.f);
    emu::launch(dim3(1), dim3(128), [&] { warpSum(x.data(), w.data(), 96); });
    float w0 = 0, w2 = 0;
    for (int i = 0; i < 32; ++i) w0 += x[i];
    for (int i = 64; i < 96; ++i) w2 += x[i];
    check(w[0] == w0 && w[2] == w2 && w[3] == -1.f, "shuffle-and-early-return");

    std::vector<float> t(1);
    emu::launch(dim3(1), dim3(128), [&] { treeSum(x.data(), t.data(), 100); });
    float want = 0;
    for (int i = 0; i < 100; ++i) want += x[i];
    check(std::abs(t[0] - want) < 1e-3f, "tree-reduction");

    // the deadlock report aborts: run it in a child process
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        std::freopen("/dev/null", "w", stderr);
        emu::launch(dim3(1), dim3(64), [&] { mismatched(); });
        std::_Exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "deadlock-aborts");
    return failures == 0 ? 0 : 1;
}
