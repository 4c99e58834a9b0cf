#!/usr/bin/env bash
# Regenerates the committed PTX (src/main/resources/io/vrfm/kernels/*.ptx) from kernels/*.cu.
# Usage: kernels/build-ptx.sh [output-dir]     (default: the resources folder)
# The flags here are the single source of truth: KernelPtxTest reads NVCC_FLAGS from this file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../src/main/resources/io/vrfm/kernels}"
NVCC="${NVCC:-nvcc}"
NVCC_FLAGS="-ptx -arch=compute_75 -O3 -std=c++17"
mkdir -p "$out"
for cu in "$here"/*.cu; do
  name="$(basename "$cu" .cu)"
  # shellcheck disable=SC2086
  (cd "$here" && "$NVCC" $NVCC_FLAGS -o "$out/$name.ptx" "$name.cu")
  echo "ptx: $out/$name.ptx"
done
