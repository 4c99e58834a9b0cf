#!/usr/bin/env bash
# SiT-S/2 training throughput (images/s): vrfm4j (JMH, bench/src/main/java/io/vrfm/bench/SiTStepBench.java) against
# PyTorch (bench/sit_step_torch.py), same model (12 blocks, width 384, 6 heads, patch 2, 3x32x32, 10 classes),
# batch and thread count, one class-conditional RFM step = forward + backward + AdamW, measured in the same run.
# Builds nothing: run `mvn -q package -DskipTests` first (needs target/vrfm4j-bench.jar).
# Usage: bench/run-sit-step-bench.sh [THREADS] [BATCH] [QUICK]   (defaults: 2 threads, batch 8; QUICK=1: JMH 1 x 1 s
#        after no warm-up and PyTorch 1 step after 1 warm-up -- proves the script, numbers are not a measurement)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
# PYTHON=/usr/bin/python3; JAVA_OPTS=-Djmh.ignoreLock=true runs beside another JMH process (then under load).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-2}"
batch="${2:-8}"
quick="${3:-0}"
python="${PYTHON:-/usr/bin/python3}"
source "$root/bench/torch-peer.sh"
"$python" "$(dirname "$0")/torch_blas_check.py" --threads "${1:-2}" >&2 || true   # warns on a reference-BLAS peer
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
jmh_opts=(); torch_opts=()
[ "$quick" = 1 ] && { jmh_opts=(-wi 0 -i 1 -r 1s); torch_opts=(--iters 1 --warmup 1 --repeats 1); }

echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "# JMH: SiTStepBench, batch $batch, threads $threads ${jmh_opts[*]:-(2 warmup + 3 x 10 s)}, 1 fork" >&2
java ${JAVA_OPTS:-} --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.SiTStepBench' \
  -p batch="$batch" -p threads="$threads" "${jmh_opts[@]}" -rf json -rff "$out/jmh.json" >"$out/jmh.log" 2>&1 \
  || { cat "$out/jmh.log" >&2; exit 1; }
echo "# PyTorch $("$python" -c 'import torch; print(torch.__version__)'), threads $threads ${torch_opts[*]:-(best of 3 x 3 steps)}" >&2
torch_line="$("$python" "$root/bench/sit_step_torch.py" --threads "$threads" --batch "$batch" "${torch_opts[@]}")"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$python" - "$out/jmh.json" "$batch" "$torch_line" "$threads" <<'PY'
import json, sys
# each side's best timed window: vrfm4j's best JMH iteration, PyTorch's best timed run
ops = max(x for fork in json.load(open(sys.argv[1]))[0]["primaryMetric"]["rawData"] for x in fork)
batch = int(sys.argv[2])
java = ops * batch
torch = float(sys.argv[3].split()[1])
print("| SiT-S/2 step (3x32x32, 10 classes, AdamW) | vrfm4j images/s | PyTorch images/s | ratio |")
print("|---|---:|---:|---:|")
print(f"| batch {batch}, {sys.argv[4]} threads | {java:.2f} | {torch:.2f} | {java / torch:.2f} |")
PY
