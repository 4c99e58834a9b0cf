"""Warns when a PyTorch peer runs without the allocator settings of bench/peer-malloc.sh.

With glibc's default malloc, PyTorch's large activations are mmap'd and given back to the kernel when freed, so every
step page-faults them in again: on a 2-core EPYC VM bench/conv_torch.py read forward 54 / backward-data 115 GFLOP/s
that way against 352 / 367 with the settings, and a UNet step 22-36 against 46-57 images/s. The bench/run-*.sh scripts export the two variables below;
a peer script run by hand without them measures that slower PyTorch, and says so on stderr (its stdout is unchanged).
"""
import os
import platform
import sys

SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def _device(argv):
    """The value of --device (or --device=...) in argv; "cpu" when absent."""
    for i, arg in enumerate(argv):
        if arg == "--device" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--device="):
            return arg.split("=", 1)[1]
    return "cpu"


def check(argv=None):
    """One line on stderr when this is glibc, the peer runs on the CPU and either variable is unset; else nothing."""
    libc, _ = platform.libc_ver()
    argv = sys.argv[1:] if argv is None else argv
    if libc != "glibc" or os.environ.get("PEER_MALLOC") == "default" or _device(argv) != "cpu":
        return
    missing = [v for v in SETTINGS if v not in os.environ]
    if missing:
        print(f"warning: {' and '.join(missing)} not set: glibc malloc will page-fault PyTorch's large activations in "
              f"on every step and this peer will run slower than it can; run it through bench/run-*.sh, or export "
              f"MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 (bench/peer-malloc.sh)",
              file=sys.stderr)
