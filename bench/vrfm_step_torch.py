#!/usr/bin/env python3
"""PyTorch peer of VrfmStepBench: one training step of the paper's 2-D synthetic model, batch 1000, CPU (or CUDA).

The same networks as io.vrfm.nn.SyntheticVelocityNet / SyntheticPosterior (App. D.1): per-coordinate sinusoidal
encodings (64 features per scalar, top frequency 30, max period 1000) + Linear-GELU-Linear (width 64) for t and x;
V-RFM adds a 3-layer GELU MLP (128) for z; decoder 4 Linear layers (64) with GELU between; the posterior has one
encoder per input (x0, x1, x_t) and a 3-layer GELU MLP (128) to [mu, logvar]. GELU is the tanh form, as in vrfm4j.
Loss: per-sample sum of squared error (mean over batch) + lambda * KL (mean over batch); AdamW lr 1e-3, wd 0.01.
Data: 6 Gaussians on radius 1/3 -> 6 Gaussians on radius 1 (std 0.05), sampled per step like the Java trainer.

Usage: /usr/bin/python3 bench/vrfm_step_torch.py [--method vrfm|rfm] [--threads 2] [--batch 1000] [--steps 50]
                                                 [--device cpu|cuda]
Prints: "<method> <ms per step>" (best of 3 timed runs of --steps steps after --warmup steps). With --device cuda
(eager, FP32 matmuls, timed with CUDA events) a second line "peak_mib <torch.cuda.max_memory_allocated in MiB>";
without a usable CUDA device it prints "unusable: <reason>" and exits 0.
"""
import argparse
import math
import time

import peer_allocator  # bench/peer_allocator.py: warns when run without bench/peer-malloc.sh's settings
import torch
import torch.nn as nn


class ScalarEncoder(nn.Module):
    def __init__(self, coords, emb=64, width=64, scale=30.0, max_period=1000.0):
        super().__init__()
        half = emb // 2
        f = scale * torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
        self.register_buffer("freqs", f.view(1, 1, half))
        self.coords = coords
        self.mlp = nn.Sequential(nn.Linear(coords * emb, width), nn.GELU(approximate="tanh"), nn.Linear(width, width))

    def forward(self, x):
        n = x.shape[0]
        a = x.reshape(n, self.coords, 1) * self.freqs
        return self.mlp(torch.cat([a.cos(), a.sin()], dim=2).reshape(n, -1))


def mlp(*dims):
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(nn.GELU(approximate="tanh"))
    return nn.Sequential(*layers)


class Velocity(nn.Module):
    def __init__(self, dim=2, latent=0, width=64, zh=128):
        super().__init__()
        self.t_enc = ScalarEncoder(1)
        self.x_enc = ScalarEncoder(dim)
        self.z_enc = mlp(latent, zh, zh, zh) if latent else None
        self.decoder = mlp(2 * width + (zh if latent else 0), width, width, width, dim)

    def forward(self, x, t, z=None):
        h = [self.t_enc(t), self.x_enc(x)]
        if self.z_enc is not None:
            h.append(self.z_enc(z))
        return self.decoder(torch.cat(h, dim=1))


class Posterior(nn.Module):
    def __init__(self, dim=2, latent=8, width=64, hidden=128):
        super().__init__()
        self.enc = nn.ModuleList([ScalarEncoder(dim) for _ in range(3)])
        self.head = mlp(3 * width, hidden, hidden, 2 * latent)
        self.latent = latent

    def forward(self, x0, x1, xt):
        h = torch.cat([e(v) for e, v in zip(self.enc, (x0, x1, xt))], dim=1)
        out = self.head(h)
        return out[:, :self.latent], out[:, self.latent:]


def ring(n, k, radius, std, device="cpu"):
    idx = torch.randint(0, k, (n,), device=device)
    a = 2 * math.pi * idx.float() / k
    return torch.stack([radius * a.cos(), radius * a.sin()], dim=1) + std * torch.randn(n, 2, device=device)


def main():
    peer_allocator.check()
    ap = argparse.ArgumentParser()
    ap.add_argument("--method", default="vrfm", choices=["vrfm", "rfm"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = ap.parse_args()
    cuda = a.device == "cuda"
    if cuda and not torch.cuda.is_available():
        print(f"unusable: torch has no CUDA (torch {torch.__version__}, CUDA build {torch.version.cuda})")
        return
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False  # FP32, like the Java trainer's default GEMM path
        torch.backends.cudnn.allow_tf32 = False
    dev = a.device
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    latent, lam = 8, 0.1
    vrfm = a.method == "vrfm"
    v = Velocity(latent=latent if vrfm else 0).to(dev)
    params = list(v.parameters())
    q = None
    if vrfm:
        q = Posterior(latent=latent).to(dev)
        params += list(q.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)

    def step():
        b = a.batch
        x0 = ring(b, 6, 1 / 3, 0.05, dev)
        x1 = ring(b, 6, 1.0, 0.05, dev)
        t = torch.rand(b, 1, device=dev)
        xt = (1 - t) * x0 + t * x1
        target = x1 - x0
        if vrfm:
            mu, logvar = q(x0, x1, xt)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            pred = v(xt, t, z)
            recon = ((pred - target) ** 2).sum(1).mean()
            kl = (-0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)).mean()
            loss = recon + lam * kl
        else:
            pred = v(xt, t)
            loss = ((pred - target) ** 2).sum(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    best = float("inf")
    for _ in range(3):
        if cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(a.steps):
                step()
            end.record()
            end.synchronize()
            ms = start.elapsed_time(end) / a.steps
        else:
            t0 = time.perf_counter()
            for _ in range(a.steps):
                step()
            ms = (time.perf_counter() - t0) / a.steps * 1e3
        best = min(best, ms)
    print(f"{a.method} {best:.3f}", flush=True)
    if cuda:
        print(f"peak_mib {torch.cuda.max_memory_allocated() / 2**20:.1f}", flush=True)


if __name__ == "__main__":
    main()
