"""PyTorch peer for ConvBench: one 3x3 convolution (stride 1, pad 1, no bias) at the MNIST ResNet's shape,
NCHW float32 on the CPU, C = K = --width, --size x --size images, batch --batch, in three directions:
  fwd         torch.nn.functional.conv2d(x, w, padding=1)
  bwd-data    the input gradient, and
  bwd-filter  the weight gradient, each through aten::convolution_backward with only that output asked for
              (what autograd calls for F.conv2d's backward; torch.nn.grad.conv2d_input/conv2d_weight are slower
              reformulations).
Each is 2*N*K*C*9*H*W flops. Prints one line per direction: '<pass> <GFLOP/s>' (best of --repeats timed runs of
enough calls to last about --seconds each, after a warm-up).

Usage: /usr/bin/python3 bench/conv_torch.py [--threads 2] [--batch 64] [--width 64] [--size 28] [--seconds 0.5]
"""
import argparse
import sys
import time

import peer_allocator  # bench/peer_allocator.py: warns when run without bench/peer-malloc.sh's settings
import torch
import torch.nn.functional as F


def main():
    peer_allocator.check()
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--size", type=int, default=28)
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    n, c, s = a.batch, a.width, a.size
    x = torch.rand(n, c, s, s) - 0.5
    w = torch.rand(c, c, 3, 3) - 0.5
    gy = torch.rand(n, c, s, s) - 0.5
    flop = 2.0 * n * c * c * 9 * s * s

    def backward(mask):
        return lambda: torch.ops.aten.convolution_backward(gy, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1,
                                                           mask)

    passes = [("fwd", lambda: F.conv2d(x, w, padding=1)),
              ("bwd-data", backward([True, False, False])),
              ("bwd-filter", backward([False, True, False]))]
    with torch.no_grad():
        for name, fn in passes:
            for _ in range(3):
                fn()
            t0 = time.perf_counter()
            fn()
            calls = max(1, int(a.seconds / max(time.perf_counter() - t0, 1e-6)))
            best = 0.0
            for _ in range(a.repeats):
                t0 = time.perf_counter()
                for _ in range(calls):
                    fn()
                best = max(best, calls * flop / (time.perf_counter() - t0) / 1e9)
            print(f"{name} {best:.2f}", flush=True)
    print(f"# torch {torch.__version__}, threads {a.threads}, conv 3x3 {n}x{c}x{s}x{s} -> {c} channels, mkldnn "
          f"{torch.backends.mkldnn.is_available()}", file=sys.stderr)


if __name__ == "__main__":
    main()
