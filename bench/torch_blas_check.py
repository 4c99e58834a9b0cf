"""Warns when the PyTorch peer multiplies matrices on the reference BLAS.

Debian's python3-torch pulls in only the reference libblas3; PyTorch's matmul then runs at a few GFLOP/s and every
ratio against it flatters vrfm4j several times over. Prints one '#' line to stdout: the measured matmul rate, and a
warning with the fix when it is below 20 GFLOP/s. Usage: python3 bench/torch_blas_check.py [--threads N]
"""
import argparse
import time

import torch

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
x = torch.randn(512, 512)
y = torch.randn(512, 512)
for _ in range(2):
    x @ y
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    x @ y
    best = min(best, time.perf_counter() - t)
rate = 2 * 512 ** 3 / best / 1e9
line = f"# PyTorch peer: matmul 512^3 at {rate:.1f} GFLOP/s ({a.threads} threads)"
if rate < 20:
    line += (" -- WARNING: that is the reference BLAS, so every ratio below flatters vrfm4j; install a real one"
             " (Debian: apt-get install libopenblas0-pthread) and rerun")
print(line)
