#!/usr/bin/env bash
# UNet training throughput (images/s): vrfm4j (JMH, bench/src/main/java/io/vrfm/bench/UnetStepBench.java) against
# PyTorch (bench/unet_step_torch.py), same model, batch and thread count, one RFM step = forward + backward + Adam.
# Builds nothing: run `mvn -q package -DskipTests` first (needs target/vrfm4j-bench.jar).
# Usage: bench/run-unet-bench.sh [THREADS] [BATCH]   (defaults: 2 threads, batch 16; PYTHON=/usr/bin/python3)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
# ROUNDS=N (default 1) alternates the two steps N times (vrfm4j's JMH run, then PyTorch's) and reports every round's
# images/s and the median ratio: one pair of runs can be 30% off either way on a machine whose speed drifts.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-2}"
batch="${2:-16}"
source "$root/bench/rounds.sh"
python="${PYTHON:-/usr/bin/python3}"
source "$root/bench/torch-peer.sh"
"$python" "$(dirname "$0")/torch_blas_check.py" --threads "${1:-2}" >&2 || true   # warns on a reference-BLAS peer
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "# JMH: UnetStepBench, batch $batch, threads $threads (2 warmup + 3 x 5 s, 1 fork), then PyTorch's step;" \
  "$rounds round(s)" >&2
for round in $(seq 1 "$rounds"); do
  java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.UnetStepBench' \
    -p batch="$batch" -p threads="$threads" -rf json -rff "$out/jmh-$round.json" >"$out/jmh.log" 2>&1 \
    || { cat "$out/jmh.log" >&2; exit 1; }
  "$python" "$root/bench/unet_step_torch.py" --threads "$threads" --batch "$batch" >"$out/torch-$round.txt"
done

"$python" - "$out" "$batch" "$threads" "$rounds" <<'PY'
import json, os, statistics, sys
out, batch, threads, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
# each side's best timed window (vrfm4j: the best 5-s JMH iteration; PyTorch: its best timed run)
java = [max(x for fork in json.load(open(os.path.join(out, f"jmh-{k}.json")))[0]["primaryMetric"]["rawData"]
            for x in fork) * batch for k in range(1, rounds + 1)]
torch = [float(open(os.path.join(out, f"torch-{k}.txt")).read().split()[1]) for k in range(1, rounds + 1)]
ratios = [j / t for j, t in zip(java, torch)]
print("| UNet step (3x32x32, 32 ch, [1,2,2], attn 16) | vrfm4j images/s | PyTorch images/s | ratio | median ratio |")
print("|---|---:|---:|---:|---:|")
print(f"| batch {batch}, {threads} threads | {' / '.join(f'{x:.1f}' for x in java)}"
      f" | {' / '.join(f'{x:.1f}' for x in torch)} | {' / '.join(f'{x:.2f}' for x in ratios)}"
      f" | {statistics.median(ratios):.2f} |")
print(f"({rounds} round(s), one entry per round: vrfm4j's JMH run (best of 3 x 5 s), then PyTorch's (its best"
      " timed run); ratio within the round.)")
PY
