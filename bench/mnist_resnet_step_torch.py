"""PyTorch peer for MnistResNetStepBench: one training step of the paper's MNIST model (App. D.2), float32, CPU.

The same networks as io.vrfm.nn.MnistResNet and io.vrfm.nn.MnistResNetEncoder (module names as there, so the
parameter counts can be compared one to one):
  velocity: time = sinusoidal(1000 t; dim E = width, max period 1e4) -> Linear-SiLU-Linear (time_embed);
            enc_in 3x3 conv 1 -> W, BLOCKS pre-activation ResNet blocks (enc_blocks), enc_out 3x3 conv;
            V-RFM: latent = per-coordinate sinusoidal (32 features, max period 100) -> Linear-SiLU-Linear
            (latent_embed); the embedding vectors tiled over 28x28 and concatenated on channels with the features;
            dec_in 3x3 conv (W + E [+ E] -> W), BLOCKS ResNet blocks (dec_blocks), GroupNorm + SiLU (dec_norm),
            1x1 conv to 1 channel (dec_out);
  ResNet block: x + conv2(SiLU(GN(conv1(SiLU(GN(x)))))) with GroupNorm groups = the largest divisor of W <= min(32, W/2);
  posterior (V-RFM): 3x3 conv per input (enc_x0, enc_x1, enc_xt, 1 -> W), concatenated, in_proj 3x3 conv
            (3W -> W), 3 ResNet blocks each followed by 2x2 average pooling (28 -> 14 -> 7 -> 3), flatten,
            Linear(W*9, 2W)-SiLU-Linear(2W, 2*latent) to [mu, logvar]; latent 2.
Step (as FlowTrainer.step): x0 ~ N(0, I), t ~ U(0, 1), x_t = (1-t) x0 + t x1, target x1 - x0; V-RFM: z = mu +
exp(logvar/2) eps; loss = MSE (mean) [+ 1e-3 * KL summed over the latent, mean over the batch]; backward; the
global gradient norm; AdamW (lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay 0.01). x1 is a fixed random batch.

Usage: /usr/bin/python3 bench/mnist_resnet_step_torch.py [--method rfm|vrfm] [--threads 2] [--batch 64]
                                                         [--width 64] [--blocks 5] [--iters 5] [--conv-in-step]
Prints two lines: 'params <method> <velocity> <posterior> <total>' and 'images/s <method> <value>' (best of
--repeats timed runs of --iters steps after --warmup steps). With --conv-in-step, one more step runs under
torch.profiler and a third line gives the convolutions' rate inside it: 'conv-in-step <method> forward=<GFLOP/s>
backward=<GFLOP/s> seconds=<per step>' (aten::convolution and aten::convolution_backward, CPU time total; backward
covers the data and filter gradients together, as PyTorch computes them in one op; its flops count the data
gradient only where the convolution's input needs one).
"""
import argparse
import math
import sys
import time

import peer_allocator  # bench/peer_allocator.py: warns when run without bench/peer-malloc.sh's settings
import torch
import torch.nn as nn
import torch.nn.functional as F

LATENT_FREQS = 16


def groups_for(c):
    for g in range(min(32, c // 2), 0, -1):
        if c % g == 0:
            return g
    return 1


class Sinusoidal(nn.Module):
    """[cos(t f), sin(t f)], f_i = exp(-ln(max_period) i / half), t scaled first (io.vrfm.nn.SinusoidalEmbedding)."""

    def __init__(self, dim, max_period, scale):
        super().__init__()
        half = dim // 2
        self.dim, self.scale = dim, scale
        self.register_buffer("freqs", torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half))

    def forward(self, t):
        a = t.reshape(-1, 1) * self.scale * self.freqs
        e = torch.cat([a.cos(), a.sin()], dim=1)
        return F.pad(e, (0, 1)) if self.dim % 2 else e


def mlp(i, h, o):
    return nn.Sequential(nn.Linear(i, h), nn.SiLU(), nn.Linear(h, o))


def conv3(i, o):
    return nn.Conv2d(i, o, 3, 1, 1)


class ResNetBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        g = groups_for(c)
        self.norm1, self.conv1 = nn.GroupNorm(g, c), conv3(c, c)
        self.norm2, self.conv2 = nn.GroupNorm(g, c), conv3(c, c)

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        return x + self.conv2(F.silu(self.norm2(h)))


class MnistResNet(nn.Module):
    def __init__(self, width, blocks, latent, channels=1):
        super().__init__()
        e = width
        self.latent = latent
        self.time_features = Sinusoidal(e, 10000.0, 1000.0)
        self.time_embed = mlp(e, e, e)
        if latent:
            self.latent_features = Sinusoidal(2 * LATENT_FREQS, 100.0, 1.0)
            self.latent_embed = mlp(latent * 2 * LATENT_FREQS, e, e)
        self.enc_in = conv3(channels, width)
        self.enc_blocks = nn.ModuleList([ResNetBlock(width) for _ in range(blocks)])
        self.enc_out = conv3(width, width)
        self.dec_in = conv3(width + e + (e if latent else 0), width)
        self.dec_blocks = nn.ModuleList([ResNetBlock(width) for _ in range(blocks)])
        self.dec_norm = nn.GroupNorm(groups_for(width), width)
        self.dec_out = nn.Conv2d(width, channels, 1)

    def forward(self, x, t, z=None):
        n, _, h, w = x.shape
        temb = self.time_embed(self.time_features(t))
        f = self.enc_in(x)
        for b in self.enc_blocks:
            f = b(f)
        f = self.enc_out(f)
        parts = [f, temb[:, :, None, None].expand(-1, -1, h, w)]
        if self.latent:
            zemb = self.latent_embed(self.latent_features(z.reshape(-1)).reshape(n, -1))
            parts.append(zemb[:, :, None, None].expand(-1, -1, h, w))
        y = self.dec_in(torch.cat(parts, dim=1))
        for b in self.dec_blocks:
            y = b(y)
        return self.dec_out(F.silu(self.dec_norm(y)))


class MnistResNetEncoder(nn.Module):
    def __init__(self, width, latent, size=28, channels=1):
        super().__init__()
        self.latent = latent
        self.enc_x0, self.enc_x1, self.enc_xt = conv3(channels, width), conv3(channels, width), conv3(channels, width)
        self.in_proj = conv3(3 * width, width)
        self.blocks = nn.ModuleList([ResNetBlock(width) for _ in range(3)])
        s = size // 8
        self.head = mlp(width * s * s, 2 * width, 2 * latent)

    def forward(self, x0, x1, xt):
        h = self.in_proj(torch.cat([self.enc_x0(x0), self.enc_x1(x1), self.enc_xt(xt)], dim=1))
        for b in self.blocks:
            h = F.avg_pool2d(b(h), 2)
        out = self.head(h.flatten(1))
        return out[:, :self.latent], out[:, self.latent:]


def count(m):
    return sum(p.numel() for p in m.parameters()) if m is not None else 0


def main():
    peer_allocator.check()
    ap = argparse.ArgumentParser()
    ap.add_argument("--method", default="rfm", choices=["rfm", "vrfm"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--blocks", type=int, default=5)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--conv-in-step", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    vrfm = a.method == "vrfm"
    latent, lam = (2, 1e-3) if vrfm else (0, 0.0)
    velocity = MnistResNet(a.width, a.blocks, latent).train()
    posterior = MnistResNetEncoder(a.width, latent).train() if vrfm else None
    params = list(velocity.parameters()) + (list(posterior.parameters()) if vrfm else [])
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    x1 = torch.randn(a.batch, 1, 28, 28)

    def step():
        x0 = torch.randn_like(x1)
        t = torch.rand(a.batch)
        tt = t[:, None, None, None]
        xt = (1 - tt) * x0 + tt * x1
        z = None
        if vrfm:
            mu, logvar = posterior(x0, x1, xt)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        loss = F.mse_loss(velocity(xt, t, z), x1 - x0)
        if vrfm:
            kl = (-0.5 * (1 + logvar - mu.square() - logvar.exp()).sum(dim=1)).mean()
            loss = loss + lam * kl
        loss.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.sqrt(sum(p.grad.square().sum() for p in params)).item()
        opt.step()

    for _ in range(a.warmup):
        step()
    best = 0.0
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.iters):
            step()
        best = max(best, a.batch * a.iters / (time.perf_counter() - t0))
    print(f"# torch {torch.__version__}, {a.method}, threads {a.threads}, batch {a.batch}, width {a.width}, blocks"
          f" {a.blocks}", file=sys.stderr)
    print(f"params {a.method} {count(velocity)} {count(posterior)} {count(velocity) + count(posterior)}")
    print(f"images/s {a.method} {best:.2f}", flush=True)
    if a.conv_in_step:
        conv_in_step(a.method, step, [m for net in (velocity, posterior) if net is not None for m in net.modules()
                                      if isinstance(m, nn.Conv2d)])


def conv_in_step(method, step, convs):
    """One step under torch.profiler: the convolutions' GFLOP/s inside it (see the module docstring)."""
    from torch.profiler import profile, ProfilerActivity
    flops = {"fwd": 0.0, "bwd": 0.0}

    def hook(m, inp, out):
        n, k, oh, ow = out.shape
        f = 2.0 * n * k * m.in_channels * m.kernel_size[0] * m.kernel_size[1] * oh * ow
        flops["fwd"] += f
        flops["bwd"] += f * (2 if inp[0].requires_grad else 1)

    handles = [m.register_forward_hook(hook) for m in convs]
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step()
    for h in handles:
        h.remove()
    us = {e.key: e.cpu_time_total for e in prof.key_averages()}
    fwd, bwd = us.get("aten::convolution", 0.0) / 1e6, us.get("aten::convolution_backward", 0.0) / 1e6
    print(f"conv-in-step {method} forward={flops['fwd'] / fwd / 1e9:.1f} backward={flops['bwd'] / bwd / 1e9:.1f}"
          f" seconds={fwd + bwd:.4f}", flush=True)


if __name__ == "__main__":
    main()
