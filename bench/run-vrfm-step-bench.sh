#!/usr/bin/env bash
# One V-RFM (and RFM) training step of the paper's 2-D synthetic model at batch 1000: vrfm4j (JMH, VrfmStepBench)
# against PyTorch (bench/vrfm_step_torch.py) with the same thread count, and the speed-up ratio.
# Needs target/vrfm4j-bench.jar (`mvn -q package -DskipTests`) and a Python with torch (default /usr/bin/python3).
# Usage: bench/run-vrfm-step-bench.sh [THREADS]   (default 2)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-2}"
python="${TORCH_PYTHON:-/usr/bin/python3}"
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "# JMH: VrfmStepBench (batch 1000, threads $threads; 3 warmup + 5 x 2 s, 1 fork)" >&2
java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.VrfmStepBench' \
  -p threads="$threads" -rf json -rff "$out/jmh.json" >"$out/jmh.log" 2>&1 || { cat "$out/jmh.log" >&2; exit 1; }

echo "# PyTorch $("$python" -c 'import torch; print(torch.__version__)'), threads $threads, best of 3 x 50 steps" >&2
for m in vrfm rfm; do
  "$python" "$root/bench/vrfm_step_torch.py" --method "$m" --threads "$threads" >>"$out/torch.txt"
done

"$python" - "$out/jmh.json" "$out/torch.txt" <<'PY'
import json, sys
jmh = {r["params"]["method"]: r["primaryMetric"]["score"] for r in json.load(open(sys.argv[1]))}
torch = {l.split()[0]: float(l.split()[1]) for l in open(sys.argv[2]) if l.strip()}
print("| model (2-D, batch 1000) | vrfm4j ms/step | PyTorch ms/step | speed-up |")
print("|---|---:|---:|---:|")
for m in ("vrfm", "rfm"):
    j, t = jmh.get(m), torch.get(m)
    if j is not None and t is not None:
        print(f"| {m} | {j:.2f} | {t:.2f} | {t / j:.2f}x |")
PY
