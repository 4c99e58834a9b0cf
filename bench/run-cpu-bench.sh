#!/usr/bin/env bash
# CPU SGEMM: vrfm4j (JMH, bench/src/main/java/io/vrfm/bench/SgemmBench.java) against NumPy/OpenBLAS, same sizes,
# same thread count. Builds nothing: run `mvn -q package -DskipTests` first (needs target/vrfm4j-bench.jar).
# Usage: bench/run-cpu-bench.sh [THREADS]   (default: all processors; NumPy gets the same count)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-$(nproc)}"
sizes="256,512,1024,2048"
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
python="${PYTHON:-python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT; [ -n "${KEEP_LOG:-}" ] && trap 'cp "$out"/jmh.log "$KEEP_LOG"; rm -rf "$out"' EXIT

echo "# $(nproc) processors; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "# JMH: SgemmBench, n in {$sizes}, threads $threads (2 warmup + 3 x 1 s, 1 fork)" >&2
java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.SgemmBench' \
  -p n="$sizes" -p threads="$threads" -wi 2 -i 3 -w 1s -r 1s -f 1 \
  -rf json -rff "$out/jmh.json" >"$out/jmh.log" 2>&1 || { cat "$out/jmh.log" >&2; exit 1; }
grep -oh '# sgemm path.*' "$out/jmh.log" | head -1 >&2 || true

echo "# NumPy $("$python" -c 'import numpy; print(numpy.__version__)'), threads $threads, best of 5" >&2
OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" \
  "$python" "$root/bench/sgemm_numpy.py" --threads "$threads" ${sizes//,/ } >"$out/numpy.txt"

echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$python" - "$out/jmh.json" "$out/numpy.txt" <<'PY'
import json, sys
best, mean = {}, {}
for r in json.load(open(sys.argv[1])):
    n = int(r["params"]["n"])
    flop = 2.0 * n ** 3                        # one op = one n x n x n product
    pm = r["primaryMetric"]                    # ops/s
    mean[n] = pm["score"] * flop / 1e9
    best[n] = max(x for fork in pm["rawData"] for x in fork) * flop / 1e9
numpy = {int(l.split()[0]): float(l.split()[1]) for l in open(sys.argv[2]) if l.strip()}
print("| size | vrfm4j GFLOP/s | NumPy GFLOP/s | ratio | vrfm4j JMH mean |")
print("|---:|---:|---:|---:|---:|")
for n in sorted(best):
    v, p = best[n], numpy.get(n)
    ratio = f"{v / p:.2f}" if p else "-"
    print(f"| {n} | {v:.1f} | {p:.1f} | {ratio} | {mean[n]:.1f} |" if p else f"| {n} | {v:.1f} | - | - | {mean[n]:.1f} |")
print()
print("vrfm4j: best 1 s JMH iteration (3 measured after 2 warm-up); NumPy: best of 5 timings; both with the same")
print("thread count. 'JMH mean' is JMH's own score (mean of the 3 iterations) in GFLOP/s.")
PY
