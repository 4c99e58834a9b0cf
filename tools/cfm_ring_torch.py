#!/usr/bin/env python3
"""Independent PyTorch check of consistency flow matching on the paper's 2-D task (six Gaussians on radius 1/3 ->
six on radius 1, std 0.05), written from the reference code's loss (Yang et al. 2024, losses.py:
get_consistency_flow_matching_loss_fn) rather than from vrfm4j's FlowLosses.consistency.

Same velocity network as vrfm4j's SyntheticVelocityNet (imported from bench/vrfm_step_torch.py), AdamW lr 1e-3 wd
0.01, no EMA. Training in two stages as the reference README runs it: boundary 0 (the r side is the straight line's
point at the segment end) for the first half of the iterations, then boundary 0.9 (r < 0.9 uses the model's own
f(x_r, r) from the current weights, without gradient, plus alpha * the masked velocity term). Delta 1e-3, 2
segments, alpha 1e-5; per-sample sum of squares, mean over the batch.

Every --every steps it samples 5000 points with Euler at 1, 2, 4 and 20 steps and prints their mean radius and the
true log-likelihood (mean log-density of the target mixture at the samples), the quantities of vrfm4j's
`reproduce synthetic-2d` table. What it shows: whether the outward overshoot of many-step samples after stage 2
starts is the method's or vrfm4j's.

Usage: /usr/bin/python3 tools/cfm_ring_torch.py [--iters 1500] [--batch 256] [--every 250] [--seed 0]
                                                [--stage2-boundary 0.9] [--threads 2]
"""
import argparse
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from vrfm_step_torch import Velocity, ring  # noqa: E402


def ring_log_density(x, k=6, radius=1.0, std=0.05):
    a = 2 * math.pi * torch.arange(k, dtype=torch.float32) / k
    mu = torch.stack([radius * a.cos(), radius * a.sin()], dim=1)
    d2 = ((x[:, None, :] - mu[None, :, :]) ** 2).sum(-1)
    return torch.logsumexp(-d2 / (2 * std * std), dim=1) - math.log(k) - math.log(2 * math.pi * std * std)


def consistency_loss(v, x0, x1, boundary, delta=1e-3, segments=2, alpha=1e-5, eps=1e-3):
    n = x0.shape[0]
    t = torch.rand(n) * (1 - eps) + eps
    r = torch.clamp(t + delta, max=1.0)
    te, re = t[:, None], r[:, None]
    xt = te * x1 + (1 - te) * x0
    xr = re * x1 + (1 - re) * x0
    edges = torch.linspace(0, 1, segments + 1)
    ends = edges[torch.searchsorted(edges, t, side="left").clamp(min=1)][:, None]
    x_end = ends * x1 + (1 - ends) * x0
    vt = v(xt, t[:, None])
    ft = xt + (ends - te) * vt
    if boundary == 0:
        return ((ft - x_end) ** 2).sum(1).mean()
    with torch.no_grad():
        vr = v(xr, r[:, None])
        below = (re < boundary).float()
        fr = below * (xr + (ends - re) * vr) + (1 - below) * x_end
    lf = ((ft - fr) ** 2).sum(1)
    vmask = (te < boundary).float() * ((ends - te) > 1.01 * delta).float()
    lv = (vmask * (vt - vr) ** 2).sum(1)
    return (lf + alpha * lv).mean()


@torch.no_grad()
def evaluate(v, x0):
    out = []
    for steps in (1, 2, 4, 20):
        x = x0.clone()
        for i in range(steps):
            t = torch.full((x.shape[0], 1), i / steps)
            x = x + v(x, t) / steps
        out.append(f"e{steps} r={x.norm(dim=1).mean():.3f} ll={ring_log_density(x).mean():.2f}")
    return " | ".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--every", type=int, default=250)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stage2-boundary", type=float, default=0.9)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    v = Velocity()
    opt = torch.optim.AdamW(v.parameters(), lr=1e-3, weight_decay=0.01)
    x0_eval = ring(5000, 6, 1 / 3, 0.05)
    for step in range(1, a.iters + 1):
        boundary = 0 if step <= a.iters // 2 else a.stage2_boundary
        loss = consistency_loss(v, ring(a.batch, 6, 1 / 3, 0.05), ring(a.batch, 6, 1.0, 0.05), boundary)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % a.every == 0:
            print(f"step {step:6d} loss {loss.item():.4g} | {evaluate(v, x0_eval)}", flush=True)


if __name__ == "__main__":
    main()
