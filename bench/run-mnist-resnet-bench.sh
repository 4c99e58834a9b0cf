#!/usr/bin/env bash
# The convolution-heavy step: one training step of the paper's MNIST ResNet (App. D.2; RFM, and V-RFM with its
# posterior) in images/s, vrfm4j (JMH, bench/src/main/java/io/vrfm/bench/MnistResNetStepBench.java) against PyTorch
# (bench/mnist_resnet_step_torch.py, the same networks and step), and the 3x3 convolution at the net's shape
# (28x28, C = K = WIDTH, batch BATCH) in GFLOP/s per direction, vrfm4j's Backend conv primitives (ConvBench) against
# PyTorch (bench/conv_torch.py), and every convolution's rate inside the step (vrfm4j: the backend's ConvTimes over
# the last measured iteration; PyTorch: torch.profiler over one step). Same thread count on both sides; ratio = vrfm4j / PyTorch (above 1: vrfm4j faster).
# Checks that both sides' models count the same parameters (exits 1 when not).
# Builds nothing: run `mvn -q package -DskipTests` first (needs target/vrfm4j-bench.jar).
# Usage: bench/run-mnist-resnet-bench.sh [THREADS] [BATCH] [WIDTH] [BLOCKS]
#        (defaults: 2 threads, batch 64, width 64, 5 blocks = the paper's net; PYTHON=/usr/bin/python3;
#        BENCH_JVM_ARGS: extra JVM options for the vrfm4j side, e.g. BENCH_JVM_ARGS=-XX:UseAVX=2 measures the AVX2 path
#        on an AVX-512 machine)
# BENCH_ISA=avx2 runs both sides on the AVX2 path of an AVX-512 machine (bench/isa.sh).
# PEER_MALLOC=default runs both sides with the C allocator as installed (default: tuned so that PyTorch reuses its
# large blocks instead of page-faulting them in on every step; bench/peer-malloc.sh).
# ROUNDS=N (default 1) alternates the two steps N times (vrfm4j's JMH run, then PyTorch's) and reports every round's
# images/s and the median ratio (the convolutions alone run once); one pair of runs can be 30% off either way on a
# machine whose speed drifts.
# At the defaults one step is about 250 GFLOP (RFM): the whole script takes about 4 minutes on 2 cores (plus about
# 3 per extra round).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/isa.sh"
source "$root/bench/peer-malloc.sh"
jar="$root/target/vrfm4j-bench.jar"
threads="${1:-2}"
batch="${2:-64}"
width="${3:-64}"
blocks="${4:-5}"
source "$root/bench/rounds.sh"
python="${PYTHON:-/usr/bin/python3}"
source "$root/bench/torch-peer.sh"
"$python" "$root/bench/torch_blas_check.py" --threads "$threads" >&2 || true   # warns on a reference-BLAS peer
[ -f "$jar" ] || { echo "no $jar: run 'mvn -q package -DskipTests' first" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
jmh=(java --add-modules jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main)
[ -n "${BENCH_JVM_ARGS:-}" ] && { jmh+=(-jvmArgsAppend "$BENCH_JVM_ARGS"); echo "# vrfm4j JVM options: $BENCH_JVM_ARGS" >&2; }
echo "# $(nproc) processors; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M UTC')" >&2
# Under load the timings mean little, and PyTorch's OpenMP threads (spin-waiting at barriers) collapse when they share
# busy cores: at small shapes its convolutions then ran 20-30x slower than with one thread, inflating every ratio.
# Busy now, not in the last minute: the CPUs' busy share over one second (/proc/stat), so a run started right after
# another benchmark is not flagged (the 1-minute load average still counts the finished one).
read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat; sleep 1; read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ </proc/stat
awk -v busy=$(( (u2 + n2 + s2 + q2 + sq2 + st2) - (u1 + n1 + s1 + q1 + sq1 + st1) )) \
  -v idle=$(( (i2 + w2) - (i1 + w1) )) -v n="$(nproc)" 'BEGIN { f = busy / (busy + idle + 1e-9);
  if (f > 0.25) printf "# WARNING: the CPUs were %.0f%% busy in the second before this run (%d processors): the numbers below are not meaningful (and flatter vrfm4j); rerun idle\n", 100 * f, n }' >&2

echo "# JMH: ConvBench fwd/bwd-data/bwd-filter, 3x3 ${batch}x${width}x28x28 -> $width (2 warmup + 3 x 1 s, 1 fork)" >&2
"${jmh[@]}" 'io.vrfm.bench.ConvBench' -p pass=fwd,bwd-data,bwd-filter -p width="$width" -p batch="$batch" \
  -p size=28 -p threads="$threads" -wi 2 -i 3 -w 1s -r 1s -f 1 -rf json -rff "$out/conv.json" >"$out/conv.log" 2>&1 \
  || { cat "$out/conv.log" >&2; exit 1; }
# Ten warm-up iterations (30 s): the step calls its small Linear layers a few times per 2-s step, so C2 compiled the
# in-place SGEMM kernel only after about 24 s (-XX:+PrintCompilation); until then it ran at C1's tier, boxing every
# vector (JFR: FloatVector.tOpTemplate under SgemmKernels.kernel8x2A), and 2 warm-up iterations measured that.
echo "# PyTorch $("$python" -c 'import torch; print(torch.__version__)'): conv (best of 3 x ~0.5 s), step (best of 3 x 2 steps after 1)" >&2
"$python" "$root/bench/conv_torch.py" --threads "$threads" --batch "$batch" --width "$width" --size 28 \
  >"$out/torch-conv.txt"
echo "# JMH: MnistResNetStepBench rfm/vrfm, width $width, blocks $blocks, batch $batch (10 warmup + 3 x 3 s, 1 fork)," \
  "then PyTorch's step; $rounds round(s)" >&2
for round in $(seq 1 "$rounds"); do
  "${jmh[@]}" 'io.vrfm.bench.MnistResNetStepBench' -p method=rfm,vrfm -p width="$width" -p blocks="$blocks" \
    -p batch="$batch" -p threads="$threads" -wi 10 -i 3 -w 3s -r 3s -f 1 -rf json -rff "$out/step-$round.json" \
    >"$out/step.log" 2>&1 || { cat "$out/step.log" >&2; exit 1; }
  for m in rfm vrfm; do
    "$python" "$root/bench/mnist_resnet_step_torch.py" --method "$m" --threads "$threads" --batch "$batch" \
      --width "$width" --blocks "$blocks" --iters 2 --warmup 1 --repeats 3 --conv-in-step >>"$out/torch-step-$round.txt"
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%H:%M UTC')" >&2

cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
"$python" - "$out" "$batch" "$width" "$blocks" "$threads" "${cpu:-unknown CPU}" "$rounds" <<'PY'
import json, os, re, statistics, sys
out, batch, width, blocks, threads, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), \
    sys.argv[5], sys.argv[6]
rounds = int(sys.argv[7])
log = open(os.path.join(out, "conv.log")).read() + open(os.path.join(out, "step.log")).read()
species = re.search(r"# vector species: (.*)", log)
gemm = re.search(r"# backend: (.*)", log)
java_params = {m.group(1): [int(m.group(i)) for i in (2, 3, 4)] for m in
               re.finditer(r"# parameters method=(\w+) velocity=(\d+) posterior=(\d+) total=(\d+)", log)}
step = {m: [] for m in ("rfm", "vrfm")}         # images/s per round
for k in range(1, rounds + 1):
    for r in json.load(open(os.path.join(out, f"step-{k}.json"))):
        # the best 3-s iteration, as PyTorch's side reports its best timed run: the same statistic on both sides
        step[r["params"]["method"]].append(max(x for fork in r["primaryMetric"]["rawData"] for x in fork) * batch)
flop = 2.0 * batch * width * width * 9 * 28 * 28
conv = {r["params"]["pass"]: r["primaryMetric"]["score"] * flop / 1e9
        for r in json.load(open(os.path.join(out, "conv.json")))}
in_step = {}
for m in re.finditer(r"# conv in step method=(\w+) forward=([\d.]+) backward-data=([\d.]+) backward-filter=([\d.]+)"
                     r" backward=([\d.]+) seconds=([\d.]+)", log):
    in_step[m.group(1)] = [float(m.group(i)) for i in range(2, 7)]   # the last iteration's (a measured one)
torch_step, torch_params, torch_conv, torch_in_step = {m: [] for m in ("rfm", "vrfm")}, {}, {}, {}
for k in range(1, rounds + 1):
    for line in open(os.path.join(out, f"torch-step-{k}.txt")):
        f = line.split()
        if f and f[0] == "images/s":
            torch_step[f[1]].append(float(f[2]))
        elif f and f[0] == "params":
            torch_params[f[1]] = [int(v) for v in f[2:5]]
        elif f and f[0] == "conv-in-step":
            torch_in_step[f[1]] = dict(kv.split("=") for kv in f[2:])   # the last round's
for line in open(os.path.join(out, "torch-conv.txt")):
    f = line.split()
    if len(f) == 2:
        torch_conv[f[0]] = float(f[1])

print(f"CPU: {cpu}; JVM vector species: {species.group(1) if species else 'none (scalar)'}; {threads} threads")
if gemm:
    print(f"vrfm4j backend: {gemm.group(1)}")
print()
print(f"| MNIST ResNet step (1x28x28, width {width}, {blocks}+{blocks} blocks, batch {batch}) | vrfm4j images/s"
      " | PyTorch images/s | ratio | median ratio |")
print("|---|---:|---:|---:|---:|")
for m in ("rfm", "vrfm"):
    js, ts = step[m], torch_step[m]
    if js and len(js) == len(ts):
        ratios = [j / t for j, t in zip(js, ts)]
        print(f"| {m} ({java_params.get(m, [0, 0, 0])[2]:,} parameters) | {' / '.join(f'{x:.2f}' for x in js)}"
              f" | {' / '.join(f'{x:.2f}' for x in ts)} | {' / '.join(f'{x:.2f}' for x in ratios)}"
              f" | {statistics.median(ratios):.2f} |")
print(f"({rounds} round(s), one entry per round: vrfm4j's JMH run (best of 3 x 3 s), then PyTorch's (best of 3 x 2"
      " steps); ratio within the round.)")
print()
print(f"| conv 3x3, {batch}x{width}x28x28 -> {width} (2NKC·9·HW = {flop / 1e9:.2f} GFLOP) | vrfm4j GFLOP/s"
      " | PyTorch GFLOP/s | ratio |")
print("|---|---:|---:|---:|")
for p in ("fwd", "bwd-data", "bwd-filter"):
    j, t = conv.get(p), torch_conv.get(p)
    if j is not None and t is not None:
        print(f"| {p} | {j:.1f} | {t:.1f} | {j / t:.2f} |")
print()
print("| convolutions inside the step (GFLOP/s; seconds per step; last round) | vrfm4j forward | vrfm4j backward (data / filter)"
      " | PyTorch forward | PyTorch backward | ratio forward / backward |")
print("|---|---:|---:|---:|---:|---:|")
for m in ("rfm", "vrfm"):
    j, t = in_step.get(m), torch_in_step.get(m)
    if j is not None and t is not None:
        tf, tb = float(t["forward"]), float(t["backward"])
        print(f"| {m} ({j[4]:.2f} s vs {float(t['seconds']):.2f} s) | {j[0]:.1f} | {j[3]:.1f} ({j[1]:.1f} / {j[2]:.1f})"
              f" | {tf:.1f} | {tb:.1f} | {j[0] / tf:.2f} / {j[3] / tb:.2f} |")
print()
bad = [m for m in ("rfm", "vrfm") if java_params.get(m) != torch_params.get(m)]
for m in ("rfm", "vrfm"):
    print(f"Parameters ({m}; velocity, posterior, total): vrfm4j {java_params.get(m)}, PyTorch {torch_params.get(m)}")
if bad:
    print(f"ERROR: the two sides' models differ in parameter count for {', '.join(bad)}: the comparison is void")
    sys.exit(1)
print("Parameter counts match.")
PY
