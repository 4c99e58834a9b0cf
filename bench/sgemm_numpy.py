#!/usr/bin/env python3
"""Peer for SgemmBench: numpy.matmul on float32, the same shapes, best of N, printed as GFLOP/s.

A shape is N (square N x N x N) or PASS:ROWSxINxOUT, one product of a Linear layer y = x W^T with x ROWS x IN and
W OUT x IN: fwd (x W^T), bwd-data (dy W), bwd-weight (dy^T x), the transposes passed to BLAS as views, as SgemmBench
passes them to vrfm4j. Set the BLAS thread count before numpy loads (OPENBLAS_NUM_THREADS etc.); run-cpu-bench.sh
does that. Usage: sgemm_numpy.py [--repeats R] [--info] SHAPE...   ->  lines "SHAPE GFLOPS"
"""
import argparse
import ctypes
import glob
import os
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--repeats", type=int, default=5)
p.add_argument("--info", action="store_true", help="print NumPy's version and OpenBLAS's kernel, then exit")
p.add_argument("--cpu-time", action="store_true",
               help="time by this thread's CPU time (use with --threads 1; less disturbed by other processes),"
                    " as SgemmTileSweepMain does")
p.add_argument("shapes", nargs="*", default=["256", "512", "1024", "2048"])
args = p.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, str(args.threads))

import numpy as np  # noqa: E402  (after the thread variables)


def openblas_core():
    """The kernel OpenBLAS chose at load time (e.g. 'Haswell'), or '?' when it cannot be asked."""
    here = os.path.dirname(np.__file__)
    for lib in glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*")):
        dll = ctypes.CDLL(lib)
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
            if hasattr(dll, name):
                f = getattr(dll, name)
                f.restype = ctypes.c_char_p
                return f().decode()
    return "?"


if args.info:
    print(f"NumPy {np.__version__}, OpenBLAS kernel {openblas_core()}")
    sys.exit(0)

rng = np.random.default_rng(1)


def operands(shape):
    """(a, b) with a @ b the product SgemmBench runs for this shape, and its flops."""
    def rand(*dims):
        return rng.random(dims, dtype=np.float32) - 0.5
    if ":" not in shape:
        n = int(shape)
        return rand(n, n), rand(n, n), 2.0 * n ** 3
    kind, dims = shape.split(":")
    rows, fin, fout = (int(d) for d in dims.split("x"))
    flops = 2.0 * rows * fin * fout
    if kind == "fwd":
        return rand(rows, fin), rand(fout, fin).T, flops
    if kind == "bwd-data":
        return rand(rows, fout), rand(fout, fin), flops
    if kind == "bwd-weight":
        return rand(rows, fout).T, rand(rows, fin), flops
    raise SystemExit(f"sgemm_numpy.py: unknown pass in shape {shape}")


for shape in args.shapes:
    a, b, flops = operands(shape)
    c = np.empty((a.shape[0], b.shape[1]), dtype=np.float32)
    inner = max(1, int(1e9 / flops))        # about 0.01 s of work per timing at 100 GFLOP/s
    clock = time.thread_time if args.cpu_time else time.perf_counter
    if args.cpu_time:
        inner = max(inner, int(2.5e10 / flops))  # about 0.25 s of CPU per timing, as the Java sweep
    np.matmul(a, b, out=c)                  # warm-up
    best = float("inf")
    for _ in range(args.repeats):
        t0 = clock()
        for _ in range(inner):
            np.matmul(a, b, out=c)
        best = min(best, (clock() - t0) / inner)
    print(f"{shape} {flops / best / 1e9:.1f}")
    sys.stdout.flush()
