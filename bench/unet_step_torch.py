"""PyTorch peer for UnetStepBench: one RFM training step (forward, MSE to x1 - x0, backward, Adam) of the same small
torchcfm-structured UNet (the module tree of src/test/resources/fixtures/unet_small/make_fixture.py), float32, CPU or
CUDA (eager; FP32 matmuls and convolutions, timed with CUDA events).

Usage: /usr/bin/python3 bench/unet_step_torch.py [--threads 2] [--batch 16] [--iters 10] [--device cpu|cuda]
Prints one line: 'images/s <value>' (best of --repeats timed runs of --iters steps after --warmup steps); with
--device cuda a second line 'peak_mib <torch.cuda.max_memory_allocated in MiB>'. Without a usable CUDA device it
prints 'unusable: <reason>' and exits 0.
"""
import argparse
import os
import sys
import time

import peer_allocator  # bench/peer_allocator.py: warns when run without bench/peer-malloc.sh's settings
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources",
                                "fixtures", "unet_small"))
from make_fixture import UNet  # noqa: E402

# The shared benchmark configuration (keep in sync with UnetStepBench.CONFIG).
CFG = dict(in_ch=3, image_size=32, mc=32, nres=1, mult=[1, 2, 2], attn_res=[16], heads=4, head_ch=-1,
           scale_shift=False)


def main():
    peer_allocator.check()
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
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
    model = UNet(**CFG).train().to(a.device)
    opt = torch.optim.Adam(model.parameters(), lr=2e-4)
    x1 = torch.randn(a.batch, 3, 32, 32, device=a.device)

    def step():
        x0 = torch.randn_like(x1)
        t = torch.rand(a.batch, device=a.device)
        xt = (1 - t[:, None, None, None]) * x0 + t[:, None, None, None] * x1
        loss = torch.nn.functional.mse_loss(model(t, xt), x1 - x0)
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
    params = sum(p.numel() for p in model.parameters())
    print(f"# torch {torch.__version__}, {a.device}, threads {a.threads}, batch {a.batch}, {params} parameters",
          file=sys.stderr)
    print(f"images/s {best:.2f}", flush=True)
    if cuda:
        print(f"peak_mib {torch.cuda.max_memory_allocated() / 2**20:.1f}", flush=True)


if __name__ == "__main__":
    main()
