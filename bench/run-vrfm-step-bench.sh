#!/usr/bin/env bash
# One V-RFM (and RFM) training step of the paper's 2-D synthetic model at batch 1000: vrfm4j (JMH, VrfmStepBench)
# against PyTorch (bench/vrfm_step_torch.py) with the same thread count, and the speed-up ratio. Also the GEMM
# roofline fraction: the step's GEMM flops (counted by StepCounts) / step time / the SGEMM rate measured here at the
# step's 1000x128x128 Linear products (SgemmBench, best of fwd, bwd-data, bwd-weight), and the load-independent
# costs per step (bytes allocated, parallel regions).
# Needs target/vrfm4j-bench.jar (`mvn -q package -DskipTests`) and a Python with torch (default /usr/bin/python3).
# Usage: bench/run-vrfm-step-bench.sh [THREADS]   (default 2)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-2}"
python="${TORCH_PYTHON:-/usr/bin/python3}"
"$python" "$(dirname "$0")/torch_blas_check.py" --threads "${1:-2}" >&2 || true   # warns on a reference-BLAS peer
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "# JMH: VrfmStepBench (batch 1000, threads $threads; 3 warmup + 5 x 2 s, 1 fork)" >&2
java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.VrfmStepBench' \
  -p threads="$threads" -rf json -rff "$out/jmh.json" >"$out/jmh.log" 2>&1 || { cat "$out/jmh.log" >&2; exit 1; }

echo "# StepCounts: bytes allocated, parallel regions and GEMM flops per step (20 steps after 20)" >&2
java --add-modules jdk.incubator.vector -cp "$jar" io.vrfm.bench.StepCounts "$threads" 1000 20 20 \
  >"$out/counts.txt" 2>"$out/counts.log" || { cat "$out/counts.log" >&2; exit 1; }

echo "# JMH: SgemmBench at fwd/bwd-data/bwd-weight:1000x128x128 (threads $threads; 2 warmup + 3 x 1 s): the roofline" >&2
java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.SgemmBench' \
  -p shape=fwd:1000x128x128,bwd-data:1000x128x128,bwd-weight:1000x128x128 -p threads="$threads" \
  -wi 2 -i 3 -w 1s -r 1s -f 1 -rf json -rff "$out/sgemm.json" >"$out/sgemm.log" 2>&1 \
  || { cat "$out/sgemm.log" >&2; exit 1; }

echo "# PyTorch $("$python" -c 'import torch; print(torch.__version__)'), threads $threads, best of 3 x 50 steps" >&2
for m in vrfm rfm; do
  "$python" "$root/bench/vrfm_step_torch.py" --method "$m" --threads "$threads" >>"$out/torch.txt"
done

"$python" - "$out/jmh.json" "$out/torch.txt" "$out/counts.txt" "$out/sgemm.json" <<'PY'
import json, sys
jmh = {r["params"]["method"]: r["primaryMetric"]["score"] for r in json.load(open(sys.argv[1]))}
torch = {l.split()[0]: float(l.split()[1]) for l in open(sys.argv[2]) if l.strip()}
counts = {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) > 1 and f[0] in ("vrfm", "rfm"):
        counts[f[0]] = {f[i]: float(f[i + 1]) for i in range(1, len(f) - 1, 2)}
flop = 2.0 * 1000 * 128 * 128
rate = max(r["primaryMetric"]["score"] * flop / 1e9 for r in json.load(open(sys.argv[4])))  # GFLOP/s
print("| model (2-D, batch 1000) | vrfm4j ms/step | PyTorch ms/step | speed-up | GEMM GFLOP/step | roofline fraction"
      " | MB allocated/step | fork/joins/step |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for m in ("vrfm", "rfm"):
    j, t, c = jmh.get(m), torch.get(m), counts.get(m, {})
    if j is not None and t is not None:
        gf = c.get("gemm-flops/step", float("nan")) / 1e9
        print(f"| {m} | {j:.2f} | {t:.2f} | {t / j:.2f}x | {gf:.3f} | {gf / (j / 1e3) / rate:.2f}"
              f" | {c.get('bytes/step', float('nan')) / 1e6:.2f} | {c.get('regions/step', float('nan')):.0f} |")
print()
print(f"Roofline: the SGEMM rate at the step's 1000x128x128 products, {rate:.1f} GFLOP/s (best of fwd, bwd-data,"
      " bwd-weight), same threads; fraction = GEMM flops per step / step time / that rate.")
PY
