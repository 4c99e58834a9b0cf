#!/usr/bin/env bash
# One training step of a small MLP (64 -> 256 -> 256 -> 256 -> 64, batch 1024, GELU, MSE, AdamW): vrfm4j's CPU
# backend (JMH, MlpStepBench) against PyTorch (bench/mlp_step_torch.py) with the same thread count.
# Needs target/vrfm4j-bench.jar (`mvn -q package -DskipTests`) and a Python with torch (default /usr/bin/python3).
# Usage: bench/run-mlp-step-bench.sh [THREADS]   (default: all processors)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-$(nproc)}"
python="${TORCH_PYTHON:-/usr/bin/python3}"
source "$root/bench/torch-peer.sh"
"$python" "$(dirname "$0")/torch_blas_check.py" --threads "${1:-$(nproc)}" >&2 || true   # warns on a reference-BLAS peer
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.MlpStepBench' \
  -p threads="$threads" -rf json -rff "$out/jmh.json" >"$out/jmh.log" 2>&1 || { cat "$out/jmh.log" >&2; exit 1; }
"$python" "$root/bench/mlp_step_torch.py" --threads "$threads" >"$out/torch.txt"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$python" - "$out/jmh.json" "$out/torch.txt" "$threads" <<'PY'
import json, sys
# each side's best timed window: vrfm4j's best JMH iteration, PyTorch's best timed run
j = min(x for fork in json.load(open(sys.argv[1]))[0]["primaryMetric"]["rawData"] for x in fork)
t = float(open(sys.argv[2]).read().split()[1])
print("| MLP step (batch 1024, width 256, threads %s) | vrfm4j ms/step | PyTorch ms/step | speed-up |" % sys.argv[3])
print("|---|---:|---:|---:|")
print(f"| fwd + bwd + AdamW | {j:.2f} | {t:.2f} | {t / j:.2f}x |")
PY
