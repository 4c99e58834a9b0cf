#!/usr/bin/env bash
# Regenerates the committed kernel binaries in src/main/resources/io/vrfm/kernels from kernels/*.cu:
#   <family>.ptx     PTX for compute_75 (text; the fallback the driver JIT-compiles, and what ptxas checks)
#   <family>.fatbin  cubins for sm_80 and sm_90 plus the same compute_75 PTX, compressed (what CudaDevice loads
#                    first: no JIT on A100/H100/H200; any other GPU JIT-compiles the embedded PTX)
#   fatbin.manifest  per family: sha256 of its sources (the .cu, every kernels/*.cuh and FATBIN_FLAGS) and of
#                    the fatbin, plus the nvcc version. KernelPtxTest recomputes both on every test run (no nvcc
#                    needed): a .cu edited without rebuilding, or a fatbin that does not match its record, fails.
# Why a recorded hash instead of rebuilding and comparing: fatbins are not byte-reproducible across checkouts
# (nvcc names internal symbols with a hash of the source path, and the compressed images differ all through),
# and no cuobjdump is installed on the build machine to compare their contents.
#
# Usage: kernels/build-ptx.sh [--ptx-only] [--force] [output-dir]     (default: the resources folder)
#   --ptx-only  only the PTX (what KernelPtxTest's staleness check runs: seconds, not a minute)
#   --force     rebuild every fatbin; by default a fatbin whose recorded source hash still matches is kept, so
#               regenerating after editing one .cu changes only that family's fatbin
# The flags here are the single source of truth: KernelPtxTest reads NVCC_FLAGS and FATBIN_FLAGS from this file.
set -euo pipefail
export LC_ALL=C
here="$(cd "$(dirname "$0")" && pwd)"
ptx_only=0
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ptx-only) ptx_only=1; shift ;;
    --force) force=1; shift ;;
    *) break ;;
  esac
done
out="${1:-$here/../src/main/resources/io/vrfm/kernels}"
NVCC="${NVCC:-nvcc}"
NVCC_FLAGS="-ptx -arch=compute_75 -O3 -std=c++17"
FATBIN_FLAGS="-fatbin -O3 -std=c++17 --compress-mode=size -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_75,code=compute_75"
mkdir -p "$out"
for cu in "$here"/*.cu; do
  name="$(basename "$cu" .cu)"
  # shellcheck disable=SC2086
  (cd "$here" && "$NVCC" $NVCC_FLAGS -o "$out/$name.ptx" "$name.cu")
  echo "ptx: $out/$name.ptx"
done
[ "$ptx_only" = 1 ] && exit 0

# The source hash: FATBIN_FLAGS, a newline, the .cu, then every kernels/*.cuh in name order (carriage returns
# dropped, so a checkout with CRLF line ends hashes the same). KernelPtxTest.sourceHash computes the same bytes.
source_hash() {
  { printf '%s\n' "$FATBIN_FLAGS"; tr -d '\r' < "$1"; for h in "$here"/*.cuh; do tr -d '\r' < "$h"; done; } \
    | sha256sum | cut -d' ' -f1
}
manifest="$out/fatbin.manifest"
old="$(cat "$manifest" 2>/dev/null || true)"
version="$("$NVCC" --version | grep -m1 'release')"
lines=()
for cu in "$here"/*.cu; do
  name="$(basename "$cu" .cu)"
  src="$(source_hash "$cu")"
  bin="$out/$name.fatbin"
  rec="$(printf '%s\n' "$old" | grep "^$name " || true)"
  if [ "$force" = 0 ] && [ -f "$bin" ] && [ "$rec" = "$name source-sha256=$src fatbin-sha256=$(sha256sum "$bin" | cut -d' ' -f1)" ]; then
    echo "fatbin: $bin (sources unchanged, kept)"
  else
    # shellcheck disable=SC2086
    (cd "$here" && "$NVCC" $FATBIN_FLAGS -o "$bin" "$name.cu")
    echo "fatbin: $bin ($(wc -c < "$bin") bytes)"
  fi
  lines+=("$name source-sha256=$src fatbin-sha256=$(sha256sum "$bin" | cut -d' ' -f1)")
done
{
  echo "# Written by kernels/build-ptx.sh; checked by KernelPtxTest. Regenerate with kernels/build-ptx.sh."
  echo "# nvcc: $version"
  echo "# flags: $FATBIN_FLAGS"
  printf '%s\n' "${lines[@]}"
} > "$manifest"
echo "manifest: $manifest"
