#!/usr/bin/env bash
# One V-RFM (and RFM) training step of the paper's 2-D synthetic model at batch 1000: vrfm4j (JMH, VrfmStepBench)
# against PyTorch (bench/vrfm_step_torch.py) with the same thread count, and the speed-up ratio (each side's best
# timed window: vrfm4j's best 2-s JMH iteration, PyTorch's best of 3 runs of 50 steps). Also the GEMM
# roofline fraction: the step's GEMM flops (counted by StepCounts) / step time / the SGEMM rate measured here at the
# step's 1000x128x128 Linear products (SgemmBench, best of fwd, bwd-data, bwd-weight), and the load-independent
# costs per step (bytes allocated, parallel regions).
# Needs target/vrfm4j-bench.jar (`mvn -q package -DskipTests`) and a Python with torch (default /usr/bin/python3).
# Usage: bench/run-vrfm-step-bench.sh [THREADS]   (default 2)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
# ROUNDS=N (default 1) alternates the two steps N times (vrfm4j's JMH run, then PyTorch's) and reports every round's
# times and the median speed-up: on a machine whose speed drifts, one pair of runs can be 30% off either way.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-2}"
source "$root/bench/rounds.sh"
python="${TORCH_PYTHON:-/usr/bin/python3}"
source "$root/bench/torch-peer.sh"
"$python" "$(dirname "$0")/torch_blas_check.py" --threads "${1:-2}" >&2 || true   # warns on a reference-BLAS peer
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# 300 warm-up steps (a few seconds), so the counts are the steady state's: SIMD loops not yet compiled by C2 box their
# vectors. (With 20 warm-up steps one AVX2-path run reported 143 MB per step, 12 others 0.2 MB; whether that JVM was
# still warming up or compiled a loop badly for good is not known.)
echo "# StepCounts: bytes allocated, parallel regions and GEMM flops per step (50 steps after 300)" >&2
java --add-modules jdk.incubator.vector -cp "$jar" io.vrfm.bench.StepCounts "$threads" 1000 300 50 \
  >"$out/counts.txt" 2>"$out/counts.log" || { cat "$out/counts.log" >&2; exit 1; }

echo "# JMH: SgemmBench at fwd/bwd-data/bwd-weight:1000x128x128 (threads $threads; 2 warmup + 3 x 1 s): the roofline" >&2
java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.SgemmBench' \
  -p shape=fwd:1000x128x128,bwd-data:1000x128x128,bwd-weight:1000x128x128 -p threads="$threads" \
  -wi 2 -i 3 -w 1s -r 1s -f 1 -rf json -rff "$out/sgemm.json" >"$out/sgemm.log" 2>&1 \
  || { cat "$out/sgemm.log" >&2; exit 1; }

echo "# JMH: VrfmStepBench (batch 1000, threads $threads; 3 warmup + 5 x 2 s, 1 fork), then" \
  "PyTorch $("$python" -c 'import torch; print(torch.__version__)') (threads $threads, best of 3 x 50 steps);" \
  "$rounds round(s)" >&2
for round in $(seq 1 "$rounds"); do
  java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.VrfmStepBench' \
    -p threads="$threads" -rf json -rff "$out/jmh-$round.json" >"$out/jmh.log" 2>&1 \
    || { cat "$out/jmh.log" >&2; exit 1; }
  for m in vrfm rfm; do
    "$python" "$root/bench/vrfm_step_torch.py" --method "$m" --threads "$threads" >>"$out/torch-$round.txt"
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%H:%M UTC')" >&2

"$python" - "$out" "$rounds" "$out/counts.txt" "$out/sgemm.json" <<'PY'
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
jmh = {m: [] for m in ("vrfm", "rfm")}
torch = {m: [] for m in ("vrfm", "rfm")}
for k in range(1, rounds + 1):
    for r in json.load(open(os.path.join(out, f"jmh-{k}.json"))):
        # the best 2-s iteration, as PyTorch's side reports its best timed run: the same statistic on both sides
        jmh[r["params"]["method"]].append(min(x for fork in r["primaryMetric"]["rawData"] for x in fork))
    for line in open(os.path.join(out, f"torch-{k}.txt")):
        if line.strip():
            torch[line.split()[0]].append(float(line.split()[1]))
counts = {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) > 1 and f[0] in ("vrfm", "rfm"):
        counts[f[0]] = {f[i]: float(f[i + 1]) for i in range(1, len(f) - 1, 2)}
flop = 2.0 * 1000 * 128 * 128
rate = max(r["primaryMetric"]["score"] * flop / 1e9 for r in json.load(open(sys.argv[4])))  # GFLOP/s
print("| model (2-D, batch 1000) | vrfm4j ms/step | PyTorch ms/step | speed-up | median speed-up | GEMM GFLOP/step"
      " | roofline fraction | MB allocated/step | fork/joins/step |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for m in ("vrfm", "rfm"):
    js, ts, c = jmh[m], torch[m], counts.get(m, {})
    if js and len(js) == len(ts):
        ups = [t / j for j, t in zip(js, ts)]
        j = statistics.median(js)
        gf = c.get("gemm-flops/step", float("nan")) / 1e9
        print(f"| {m} | {' / '.join(f'{x:.2f}' for x in js)} | {' / '.join(f'{x:.2f}' for x in ts)}"
              f" | {' / '.join(f'{x:.2f}x' for x in ups)} | {statistics.median(ups):.2f}x | {gf:.3f}"
              f" | {gf / (j / 1e3) / rate:.2f} | {c.get('bytes/step', float('nan')) / 1e6:.2f}"
              f" | {c.get('regions/step', float('nan')):.0f} |")
print()
print(f"{rounds} round(s), one entry per round: vrfm4j's JMH run (best of 5 x 2 s), then PyTorch's (best of 3 x 50"
      " steps); speed-up = PyTorch time / vrfm4j time in the same round; roofline fraction at the median vrfm4j time.")
print(f"Roofline: the SGEMM rate at the step's 1000x128x128 products, {rate:.1f} GFLOP/s (best of fwd, bwd-data,"
      " bwd-weight), same threads; fraction = GEMM flops per step / step time / that rate.")
PY
