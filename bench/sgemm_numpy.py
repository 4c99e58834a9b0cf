#!/usr/bin/env python3
"""Peer for SgemmBench: numpy.matmul on float32 square matrices, best of N, printed as GFLOP/s.

Set the BLAS thread count before numpy loads (OPENBLAS_NUM_THREADS etc.); run-cpu-bench.sh does that.
Usage: sgemm_numpy.py [--repeats R] SIZE...   ->  lines "SIZE GFLOPS"
"""
import argparse
import os
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--repeats", type=int, default=5)
p.add_argument("sizes", type=int, nargs="*", default=[256, 512, 1024, 2048])
args = p.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, str(args.threads))

import numpy as np  # noqa: E402  (after the thread variables)

rng = np.random.default_rng(1)
for n in args.sizes:
    a = rng.random((n, n), dtype=np.float32) - 0.5
    b = rng.random((n, n), dtype=np.float32) - 0.5
    c = np.empty((n, n), dtype=np.float32)
    flops = 2.0 * n ** 3
    inner = max(1, int(1e9 / flops))        # about 0.01 s of work per timing at 100 GFLOP/s
    np.matmul(a, b, out=c)                  # warm-up
    best = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(a, b, out=c)
        best = min(best, (time.perf_counter() - t0) / inner)
    print(f"{n} {flops / best / 1e9:.1f}")
    sys.stdout.flush()
