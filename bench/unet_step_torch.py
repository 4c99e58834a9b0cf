"""PyTorch peer for UnetStepBench: one RFM training step (forward, MSE to x1 - x0, backward, Adam) of the same small
torchcfm-structured UNet (the module tree of src/test/resources/fixtures/unet_small/make_fixture.py), CPU float32.

Usage: /usr/bin/python3 bench/unet_step_torch.py [--threads 2] [--batch 16] [--iters 10]
Prints one line: 'images/s <value>' (best of --repeats timed runs of --iters steps after --warmup steps).
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources",
                                "fixtures", "unet_small"))
from make_fixture import UNet  # noqa: E402

# The shared benchmark configuration (keep in sync with UnetStepBench.CONFIG).
CFG = dict(in_ch=3, image_size=32, mc=32, nres=1, mult=[1, 2, 2], attn_res=[16], heads=4, head_ch=-1,
           scale_shift=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = UNet(**CFG).train()
    opt = torch.optim.Adam(model.parameters(), lr=2e-4)
    x1 = torch.randn(a.batch, 3, 32, 32)

    def step():
        x0 = torch.randn_like(x1)
        t = torch.rand(a.batch)
        xt = (1 - t[:, None, None, None]) * x0 + t[:, None, None, None] * x1
        loss = torch.nn.functional.mse_loss(model(t, xt), x1 - x0)
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    best = 0.0
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.iters):
            step()
        best = max(best, a.batch * a.iters / (time.perf_counter() - t0))
    params = sum(p.numel() for p in model.parameters())
    print(f"# torch {torch.__version__}, threads {a.threads}, batch {a.batch}, {params} parameters", file=sys.stderr)
    print(f"images/s {best:.2f}")


if __name__ == "__main__":
    main()
