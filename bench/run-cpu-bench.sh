#!/usr/bin/env bash
# CPU SGEMM: vrfm4j (JMH, bench/src/main/java/io/vrfm/bench/SgemmBench.java) against NumPy/OpenBLAS
# (bench/sgemm_numpy.py), same shapes, same thread count. Each shape runs vrfm4j then NumPy back to back, so both
# see about the same machine load; ROUNDS repeats the whole sweep. Builds nothing: run `mvn -q package -DskipTests`
# first (needs target/vrfm4j-bench.jar).
# Usage: bench/run-cpu-bench.sh [THREADS]   (default: all processors; NumPy gets the same count)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
# Environment: ROUNDS (default 1); SHAPES (comma-separated, default: squares 256-2048 and the three products of the
# V-RFM step's Linear layers 1000x64x128, 1000x128x128, 1000x256x64, see SgemmBench); SGEMM_JVM_ARGS (extra JVM
# options for the measured JVM, e.g. "-XX:UseAVX=2" or "-Dvrfm.sgemm.tile=8x2"); WARMUP (JMH warm-up iterations
# of 1 s, default 2; raise it on a loaded machine, where the JIT needs longer); PYTHON (default python3).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-$(nproc)}"
source "$root/bench/rounds.sh"
layers="1000x64x128 1000x128x128 1000x256x64"
default_shapes="256,512,1024,2048"
for l in $layers; do default_shapes="$default_shapes,fwd:$l,bwd-data:$l,bwd-weight:$l"; done
shapes="${SHAPES:-$default_shapes}"
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
python="${PYTHON:-python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# OpenBLAS's core-type overrides (set on some machines for old OpenBLAS builds) slow a current NumPy: drop them
# for the peer only, unless BENCH_ISA set one (bench/isa.sh).
[ -z "${BENCH_ISA:-}" ] && unset OPENBLAS_CORETYPE
numpy_env=(env -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads"
  MKL_NUM_THREADS="$threads")

echo "# $(nproc) processors; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M UTC')" >&2
warmup="${WARMUP:-2}"
echo "# vrfm4j: JMH SgemmBench, $warmup warm-up + 3 x 1 s, 1 fork, threads $threads ${SGEMM_JVM_ARGS:+(JVM: $SGEMM_JVM_ARGS)}" >&2
echo "# peer: $("${numpy_env[@]}" "$python" "$root/bench/sgemm_numpy.py" --info), threads $threads, best of 5" >&2
jvm_args=()
[ -n "${SGEMM_JVM_ARGS:-}" ] && jvm_args=(-jvmArgsAppend "$SGEMM_JVM_ARGS")
: >"$out/results.txt"
for round in $(seq 1 "$rounds"); do
  for shape in ${shapes//,/ }; do
    java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main 'io.vrfm.bench.SgemmBench' \
      -p shape="$shape" -p threads="$threads" -wi "$warmup" -i 3 -w 1s -r 1s -f 1 "${jvm_args[@]}" \
      -rf json -rff "$out/jmh.json" >"$out/jmh.log" 2>&1 || { cat "$out/jmh.log" >&2; exit 1; }
    [ "$round$shape" = "1${shapes%%,*}" ] && { grep -oh '# sgemm path.*' "$out/jmh.log" | head -1 >&2 || true; }
    peer="$("${numpy_env[@]}" "$python" "$root/bench/sgemm_numpy.py" --threads "$threads" "$shape")"
    "$python" - "$out/jmh.json" "$round" "$peer" >>"$out/results.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
shape = r["params"]["shape"]
if ":" in shape:
    rows, fin, fout = (int(d) for d in shape.split(":")[1].split("x"))
    flop = 2.0 * rows * fin * fout
else:
    flop = 2.0 * int(shape) ** 3
pm = r["primaryMetric"]                        # ops/s
best = max(x for fork in pm["rawData"] for x in fork) * flop / 1e9
print(sys.argv[2], shape, f"{best:.1f}", f"{pm['score'] * flop / 1e9:.1f}", sys.argv[3].split()[1])
PY
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%H:%M UTC')" >&2

"$python" - "$out/results.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    rnd, shape, best, mean, peer = line.split()
    rows.setdefault(shape, []).append((float(best), float(mean), float(peer)))
print("| shape | vrfm4j GFLOP/s | NumPy GFLOP/s | ratio | median ratio |")
print("|---|---:|---:|---:|---:|")
for shape, rs in rows.items():
    ratios = [b / p for b, _, p in rs]
    print(f"| {shape} | {' / '.join(f'{b:.1f}' for b, _, _ in rs)} | {' / '.join(f'{p:.1f}' for _, _, p in rs)}"
          f" | {' / '.join(f'{x:.2f}' for x in ratios)} | {statistics.median(ratios):.2f} |")
print()
print("One column entry per round. vrfm4j: best 1 s JMH iteration (3 measured after the warm-up); NumPy: best of 5")
print("timings; both with the same thread count, each shape measured back to back. Shapes: N = N x N x N;")
print("PASS:ROWSxINxOUT = one product of a Linear layer (fwd x W^T, bwd-data dy W, bwd-weight dy^T x).")
PY
