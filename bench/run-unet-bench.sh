#!/usr/bin/env bash
# UNet training throughput (images/s): vrfm4j (JMH, bench/src/main/java/io/vrfm/bench/UnetStepBench.java) against
# PyTorch (bench/unet_step_torch.py), same model, batch and thread count, one RFM step = forward + backward + Adam.
# Builds nothing: run `mvn -q package -DskipTests` first (needs target/vrfm4j-bench.jar).
# Usage: bench/run-unet-bench.sh [THREADS] [BATCH]   (defaults: 2 threads, batch 16; PYTHON=/usr/bin/python3)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-2}"
batch="${2:-16}"
python="${PYTHON:-/usr/bin/python3}"
"$python" "$(dirname "$0")/torch_blas_check.py" --threads "${1:-2}" >&2 || true   # warns on a reference-BLAS peer
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "# JMH: UnetStepBench, batch $batch, threads $threads (2 warmup + 3 x 5 s, 1 fork)" >&2
java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.UnetStepBench' \
  -p batch="$batch" -p threads="$threads" -rf json -rff "$out/jmh.json" >"$out/jmh.log" 2>&1 \
  || { cat "$out/jmh.log" >&2; exit 1; }
torch_line="$("$python" "$root/bench/unet_step_torch.py" --threads "$threads" --batch "$batch")"

"$python" - "$out/jmh.json" "$batch" "$torch_line" "$threads" <<'PY'
import json, sys
ops = json.load(open(sys.argv[1]))[0]["primaryMetric"]["score"]
batch = int(sys.argv[2])
java = ops * batch
torch = float(sys.argv[3].split()[1])
print("| UNet step (3x32x32, 32 ch, [1,2,2], attn 16) | vrfm4j images/s | PyTorch images/s | ratio |")
print("|---|---:|---:|---:|")
print(f"| batch {batch}, {sys.argv[4]} threads | {java:.1f} | {torch:.1f} | {java / torch:.2f} |")
PY
