#!/usr/bin/env python3
"""PyTorch peer of AttentionBench: softmax(Q K^T / sqrt(d)) V forward + backward (autograd) on the CPU for
[batch, heads, seq, head_dim] = 8 x 6 x 256 x 64, the gradient of the output a fixed random tensor.

Usage: /usr/bin/python3 bench/attention_torch.py [--threads 2] [--iters 20] [--device cpu|cuda]
Prints: "attention <best ms per forward+backward over 3 repeats>" (CUDA: eager FP32, timed with CUDA events; without a
usable CUDA device it prints "unusable: <reason>" and exits 0).
"""
import argparse
import math
import time

import peer_allocator  # bench/peer_allocator.py: warns when run without bench/peer-malloc.sh's settings
import torch


def main():
    peer_allocator.check()
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--shape", type=int, nargs=4, default=[8, 6, 256, 64])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = ap.parse_args()
    cuda = a.device == "cuda"
    if cuda and not torch.cuda.is_available():
        print(f"unusable: torch has no CUDA (torch {torch.__version__}, CUDA build {torch.version.cuda})")
        return
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    b, h, n, d = a.shape
    q, k, v = (torch.randn(b, h, n, d, device=a.device, requires_grad=True) for _ in range(3))
    g = torch.randn(b, h, n, d, device=a.device)
    scale = 1.0 / math.sqrt(d)

    def step():
        for t in (q, k, v):
            t.grad = None
        out = torch.softmax((q * scale) @ k.transpose(-2, -1), dim=-1) @ v
        out.backward(g)

    for _ in range(3):
        step()
    best = float("inf")
    for _ in range(3):
        if cuda:
            torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(a.iters):
                step()
            end.record()
            end.synchronize()
            best = min(best, start.elapsed_time(end) / a.iters)
            continue
        t0 = time.perf_counter()
        for _ in range(a.iters):
            step()
        best = min(best, (time.perf_counter() - t0) / a.iters * 1e3)
    print(f"attention {best:.3f}")


if __name__ == "__main__":
    main()
