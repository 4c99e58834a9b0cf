#!/usr/bin/env python3
"""PyTorch peer of MlpStepBench: one training step of a 64 -> W -> W -> W -> 64 GELU MLP (exact GELU), MSE to a
fixed target, backward, AdamW (lr 1e-3, weight decay 0.01). CPU, float32.

Usage: /usr/bin/python3 bench/mlp_step_torch.py [--threads 2] [--batch 1024] [--width 256] [--steps 50]
Prints: "mlp <best ms per step over 3 repeats>".
"""
import argparse
import time

import peer_allocator  # bench/peer_allocator.py: warns when run without bench/peer-malloc.sh's settings
import torch
import torch.nn as nn

peer_allocator.check()
p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", type=int, default=1024)
p.add_argument("--width", type=int, default=256)
p.add_argument("--steps", type=int, default=50)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
w = a.width
model = nn.Sequential(nn.Linear(64, w), nn.GELU(), nn.Linear(w, w), nn.GELU(), nn.Linear(w, w), nn.GELU(), nn.Linear(w, 64))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
x, y = torch.randn(a.batch, 64), torch.randn(a.batch, 64)


def step():
    opt.zero_grad(set_to_none=True)
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(10):
    step()
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    best = min(best, (time.perf_counter() - t0) * 1000 / a.steps)
print(f"mlp {best:.3f}")
