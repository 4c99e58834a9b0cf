# Sourced by the bench/run-*.sh scripts after bench/isa.sh: the C allocator both sides run with.
# The PyTorch peers allocate every activation afresh. glibc's default malloc serves blocks above its mmap threshold
# (128 KiB, raised as large blocks are freed) with mmap and gives heap memory back to the kernel when much of it is
# free, so the next call page-faults the same megabytes in again. On a 2-core AMD EPYC VM (2026-12-03) one 3x3
# convolution (64 channels, 28x28, batch 64; `python3 bench/conv_torch.py`) read forward 54 / backward-data 115
# GFLOP/s that way and 352 / 367 with the settings below; PyTorch's UNet step (bench/unet_step_torch.py --batch 16)
# 22-36 against 46-57 images/s, its MNIST ResNet RFM step 40 and 68 against 59-74 (README, "Speed").
# A fair peer runs as fast as it can, so by default both sides run with glibc's mmap threshold at its 64-bit ceiling
# (32 MiB) and trimming off: freed blocks up to 32 MiB are reused from the heap (jemalloc or tcmalloc, the usual
# advice for PyTorch on a CPU, do the same job). The JVM's own heap is not malloc'd; this changes only its C heap.
# PEER_MALLOC=default measures PyTorch with the allocator as installed (what `python3 script.py` gets).
case "${PEER_MALLOC:-tuned}" in
  tuned)
    export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296
    peer_malloc_line="# C allocator: glibc malloc, mmap threshold 32 MiB, no trimming (bench/peer-malloc.sh; PEER_MALLOC=default for the allocator as installed)" ;;
  default)
    unset MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_ MALLOC_TOP_PAD_
    peer_malloc_line="# C allocator: as installed (PEER_MALLOC=default: PyTorch page-faults its large activations in again on every step)" ;;
  *)
    echo "PEER_MALLOC=$PEER_MALLOC is not understood: use PEER_MALLOC=default, or leave it unset" >&2
    exit 2 ;;
esac
echo "$peer_malloc_line" >&2
