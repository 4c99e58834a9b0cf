#!/usr/bin/env python3
"""PyTorch peer of CudaGemmBench: square torch.matmul C = A @ B on the GPU at n = 4096 (the size CudaGemmBench uses),
FP32 (allow_tf32 False) and TF32 (allow_tf32 True), timed with CUDA events after warm-up; 2 n^3 flops per product.

Usage: python3 bench/gemm_torch.py [--n 4096] [--reps 20] [--warmup 5]
Prints one line per precision: 'gemm torch <fp32|tf32> n <n> GFLOP/s <value>' (best of 3 timed runs of --reps
products), which bench/gpu-check.sh puts beside CudaGemmBench's cublas / cublas-tf32 / kernel rows as ratios.
Without a usable CUDA device it prints 'unusable: <reason>' and exits 0 (exit 2: torch not importable).
"""
import argparse
import sys

try:
    import torch
except Exception as e:  # noqa: BLE001 - any import failure makes the peer unusable
    print(f"unusable: torch not importable ({type(e).__name__}: {e})")
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print(f"unusable: torch has no CUDA (torch {torch.__version__}, CUDA build {torch.version.cuda})")
        return
    dev = torch.device("cuda")
    print(f"# torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(dev)}", file=sys.stderr)
    g = torch.Generator(device=dev).manual_seed(0)
    x = torch.randn(a.n, a.n, device=dev, generator=g)
    y = torch.randn(a.n, a.n, device=dev, generator=g)
    out = torch.empty(a.n, a.n, device=dev)
    for name, tf32 in (("fp32", False), ("tf32", True)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        for _ in range(a.warmup):
            torch.matmul(x, y, out=out)
        torch.cuda.synchronize()
        best = 0.0
        for _ in range(3):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(a.reps):
                torch.matmul(x, y, out=out)
            end.record()
            end.synchronize()
            secs = start.elapsed_time(end) / 1e3
            best = max(best, a.reps * 2.0 * a.n ** 3 / secs / 1e9)
        print(f"gemm torch {name} n {a.n} GFLOP/s {best:.0f}", flush=True)
    torch.backends.cuda.matmul.allow_tf32 = False


if __name__ == "__main__":
    main()
