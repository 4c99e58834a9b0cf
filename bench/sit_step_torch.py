"""PyTorch peer for SiTStepBench: one class-conditional RFM training step of SiT-S/2 (12 blocks, width 384, 6 heads,
patch 2) on 3x32x32 inputs, 10 classes + the null class, learn_sigma layout: forward with random labels, MSE to
x1 - x0, backward, AdamW (lr 1e-4, no weight decay). The module tree is the SiT re-implementation of the parity
fixture (src/test/resources/fixtures/sit_small/make_fixture.py); float32, CPU or CUDA (eager; FP32 matmuls, timed
with CUDA events).

Usage: /usr/bin/python3 bench/sit_step_torch.py [--threads 2] [--batch 8] [--iters 3] [--device cpu|cuda]
Prints one line: 'images/s <value>' (best of --repeats timed runs of --iters steps after --warmup steps); with
--device cuda a second line 'peak_mib <torch.cuda.max_memory_allocated in MiB>'. Without a usable CUDA device it
prints 'unusable: <reason>' and exits 0.
"""
import argparse
import math
import os
import sys
import time

import peer_allocator  # bench/peer_allocator.py: warns when run without bench/peer-malloc.sh's settings
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources",
                                "fixtures", "sit_small"))
import make_fixture  # noqa: E402

CLASSES = 10  # keep in sync with SiTStepBench.CLASSES


def _timestep_forward(self, t):
    # the fixture's TimestepEmbedder builds its frequencies on the CPU; here they follow t's device
    half = self.freq // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(0, half, dtype=torch.float32, device=t.device) / half)
    args = t[:, None].float() * freqs[None]
    return self.mlp(torch.cat([torch.cos(args), torch.sin(args)], dim=-1))


make_fixture.TimestepEmbedder.forward = _timestep_forward


def main():
    peer_allocator.check()
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = ap.parse_args()
    cuda = a.device == "cuda"
    if cuda and not torch.cuda.is_available():
        print(f"unusable: torch has no CUDA (torch {torch.__version__}, CUDA build {torch.version.cuda})")
        return
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = make_fixture.SiT(input_size=32, patch_size=2, in_channels=3, hidden_size=384, depth=12, num_heads=6,
                             mlp_ratio=4.0, class_dropout_prob=0.1, num_classes=CLASSES, learn_sigma=True)
    model = model.train().to(a.device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0)
    x1 = torch.randn(a.batch, 3, 32, 32, device=a.device)

    def step():
        x0 = torch.randn_like(x1)
        t = torch.rand(a.batch, device=a.device)
        y = torch.randint(0, CLASSES, (a.batch,), device=a.device)
        xt = (1 - t[:, None, None, None]) * x0 + t[:, None, None, None] * x1
        loss = torch.nn.functional.mse_loss(model(xt, t, y), x1 - x0)
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    best = 0.0
    for _ in range(a.repeats):
        if cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(a.iters):
                step()
            end.record()
            end.synchronize()
            secs = start.elapsed_time(end) / 1e3
        else:
            t0 = time.perf_counter()
            for _ in range(a.iters):
                step()
            secs = time.perf_counter() - t0
        best = max(best, a.batch * a.iters / secs)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"# torch {torch.__version__}, {a.device}, threads {a.threads}, batch {a.batch}, {params} parameters",
          file=sys.stderr)
    print(f"images/s {best:.2f}", flush=True)
    if cuda:
        print(f"peak_mib {torch.cuda.max_memory_allocated() / 2**20:.1f}", flush=True)


if __name__ == "__main__":
    main()
