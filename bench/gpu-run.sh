#!/usr/bin/env bash
# gpu-run.sh - the one command for the lent GPU machine: unpacks the carried bundle and runs bench/gpu-check.sh
# into $OUT (the only folder that comes back). Prepare it in the checkout that the call sends:
#   bench/pack-gpu-bundle.sh                        (builds target/gpu-bundle.tar.gz, < 60 MiB, git-ignored)
# then call the device tool's run with
#   command:   bash bench/gpu-run.sh
#   carry:     ["target/gpu-bundle.tar.gz"]
#   timeout_s: 540                                  (gpu-check.sh ends itself within 450 s)
# and read $OUT/summary.txt first (the other seven files are described in bench/gpu-check.sh). Rehearse it on
# any machine with: OUT=/tmp/gpu-rehearsal bash bench/gpu-run.sh
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-${1:-${TMPDIR:-/tmp}/vrfm4j-gpu-check}}"
mkdir -p "$out"
archive="$root/target/gpu-bundle.tar.gz"
if [ ! -f "$archive" ]; then
  echo "gpu-run: no $archive: run bench/pack-gpu-bundle.sh first and carry target/gpu-bundle.tar.gz" | tee -a "$out/summary.txt"
  exit 2
fi
dest="${TMPDIR:-/tmp}/vrfm4j-gpu-bundle"
rm -rf "$dest" && mkdir -p "$dest"
if ! timeout 90 tar -xzf "$archive" -C "$dest"; then
  echo "gpu-run: unpacking $archive failed" | tee -a "$out/summary.txt"
  exit 2
fi
# the checkout's gpu-check.sh (so a fix to it needs no repacking), the bundle's jars, runtime and tests
GPU_BUNDLE="$dest/gpu-bundle" exec bash "$root/bench/gpu-check.sh" "$out"
