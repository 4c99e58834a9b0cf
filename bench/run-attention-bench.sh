#!/usr/bin/env bash
# Fused attention forward + backward on the CPU, [8, 6, 256, 64]: vrfm4j (JMH, AttentionBench) against PyTorch's
# softmax(QK^T)V with autograd (bench/attention_torch.py), same thread count, and the ratio.
# Needs target/vrfm4j-bench.jar (`mvn -q package -DskipTests`) and a Python with torch (default /usr/bin/python3).
# Usage: bench/run-attention-bench.sh [THREADS] [QUICK]   (default 2; QUICK=1: 1 warmup + 2 x 1 s)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
# JAVA_OPTS=-Djmh.ignoreLock=true runs beside another JMH process (numbers are then under load).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-2}"
quick="${2:-0}"
python="${TORCH_PYTHON:-/usr/bin/python3}"
source "$root/bench/torch-peer.sh"
"$python" "$(dirname "$0")/torch_blas_check.py" --threads "${1:-2}" >&2 || true   # warns on a reference-BLAS peer
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
jmh_opts=()
[ "$quick" = 1 ] && jmh_opts=(-wi 1 -i 2 -w 1s -r 1s)

echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "# JMH: AttentionBench [8, 6, 256, 64], threads $threads ${jmh_opts[*]:-(3 warmup + 5 x 2 s)}, 1 fork" >&2
java ${JAVA_OPTS:-} --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.AttentionBench' \
  -p threads="$threads" "${jmh_opts[@]}" -rf json -rff "$out/jmh.json" >"$out/jmh.log" 2>&1 \
  || { cat "$out/jmh.log" >&2; exit 1; }

echo "# PyTorch $("$python" -c 'import torch; print(torch.__version__)'), threads $threads, best of 3 x 20" >&2
"$python" "$root/bench/attention_torch.py" --threads "$threads" >"$out/torch.txt"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$python" - "$out/jmh.json" "$out/torch.txt" <<'PY'
import json, sys
# each side's best timed window: vrfm4j's best JMH iteration, PyTorch's best timed run
j = min(x for fork in json.load(open(sys.argv[1]))[0]["primaryMetric"]["rawData"] for x in fork)
t = float(open(sys.argv[2]).read().split()[1])
print("| attention fwd+bwd [8, 6, 256, 64] | vrfm4j ms | PyTorch ms | speed-up |")
print("|---|---:|---:|---:|")
print(f"| CPU | {j:.2f} | {t:.2f} | {t / j:.2f}x |")
PY
