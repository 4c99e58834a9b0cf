#!/usr/bin/env bash
# gpu-check.sh - everything a GPU host can tell us, in one folder, in under 8 minutes (one H200 in mind).
# Runs from the bundle that bench/pack-gpu-bundle.sh builds (target/gpu-bundle/: jlinked runtime, vrfm4j.jar,
# vrfm4j-bench.jar, test-classes, JUnit console): the host needs only the NVIDIA driver (and, for the accelerated paths, CUDA 12's
# libcublas.so.12 and cuDNN 9's libcudnn.so.9 somewhere on disk) -- no JDK, no Maven, no network.
#
# Steps (each with its own time limit; a failing step is recorded and the next one still runs):
#   1. host facts: nvidia-smi, driver version                                 -> host.txt
#   2. library search: libcublas.so.* / libcudnn.so.9 under CUDA dirs, system lib dirs and python site-packages
#      (nvidia/*/lib); their folders are added to LD_LIBRARY_PATH              -> libraries.txt
#   3. info: CUDA probe + which path GEMM/conv take + a one-kernel smoke test  -> info.txt
#   4. CUDA parity tests (every primitive vs the CPU reference, cuBLAS/cuDNN and fallback paths) -> tests.txt, junit/
#   5. a short GPU training run                                                -> train.txt (TODO hook below)
#   6. JMH CUDA benchmarks (elementwise GB/s vs copy bandwidth, SGEMM kernel vs cuBLAS) -> bench.txt, jmh-cuda.json
#   summary.txt collects one line per step.
# Usage: ./gpu-check.sh [results-dir]        (default: ./results/gpu-check-<UTC time>)
# Environment: VRFM_CUDA_DEVICE (ordinal, default 0), GPU_CHECK_SEARCH_ROOTS (extra folders to search for libraries)
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
if [ -x "$here/runtime/bin/java" ]; then                 # inside the bundle
  B="$here"
elif [ -x "$here/../target/gpu-bundle/runtime/bin/java" ]; then   # bench/ of a checkout with a packed bundle
  B="$(cd "$here/../target/gpu-bundle" && pwd)"
else
  echo "gpu-check: no bundle found; build one with bench/pack-gpu-bundle.sh and copy target/gpu-bundle/ here" >&2
  exit 2
fi
JAVA="$B/runtime/bin/java"
JAR="$B/vrfm4j.jar"
BENCH_JAR="$B/vrfm4j-bench.jar"
CONSOLE="$(ls "$B"/lib/junit-platform-console-standalone-*.jar 2>/dev/null | head -1)"
DEV="${VRFM_CUDA_DEVICE:-0}"
JFLAGS=(--add-modules jdk.incubator.vector -Xmx16g "-Dvrfm.cuda.device=$DEV")
out="${1:-$PWD/results/gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
start=$(date +%s)

say() { echo "[gpu-check +$(( $(date +%s) - start ))s] $*" | tee -a "$out/summary.txt"; }
# run NAME SECONDS CMD... : runs CMD with a time limit, output to $out/NAME.txt, records the outcome.
run() {
  local name="$1" limit="$2"; shift 2
  timeout --kill-after=10 "$limit" "$@" > "$out/$name.txt" 2>&1
  local rc=$?
  if [ $rc = 124 ] || [ $rc = 137 ]; then say "$name: TIMED OUT after ${limit}s (see $name.txt)"
  elif [ $rc != 0 ]; then say "$name: exit $rc (see $name.txt)"
  else say "$name: ok"; fi
  return $rc
}

say "vrfm4j gpu-check, results in $out"
[ -f "$B/BUNDLE.txt" ] && sed 's/^/    /' "$B/BUNDLE.txt" | tee -a "$out/summary.txt"

# ---------------------------------------------------------------- 1. host facts
{
  echo "date: $(date -u)"; echo "host: $(uname -a)"
  echo "cpus: $(nproc)"; grep -m1 'model name' /proc/cpuinfo 2>/dev/null
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  else
    echo "nvidia-smi not found"
  fi
  [ -r /proc/driver/nvidia/version ] && cat /proc/driver/nvidia/version
} > "$out/host.txt" 2>&1
say "host: $(command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader -i "$DEV" 2>/dev/null | head -1 || echo 'no nvidia-smi')"

# ---------------------------------------------------------------- 2. library search
search_roots=()
for d in ${GPU_CHECK_SEARCH_ROOTS:-} ${CUDA_HOME:-} ${CUDA_PATH:-} /usr/local/cuda /usr/local/cuda-* /opt/nvidia \
         /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/lib /opt/conda /opt/miniconda* "$HOME/miniconda3" \
         "$HOME/anaconda3" "$HOME/.local/lib"; do
  [ -d "$d" ] && search_roots+=("$d")
done
for py in python3 python; do   # pip wheels: site-packages/nvidia/{cublas,cudnn,...}/lib
  command -v "$py" >/dev/null || continue
  while IFS= read -r d; do [ -d "$d/nvidia" ] && search_roots+=("$d/nvidia"); done < <(
    timeout 10 "$py" -c 'import site,sys; print("\n".join(site.getsitepackages()+[site.getusersitepackages()]+sys.path))' 2>/dev/null)
done
for d in /usr/lib/python3*/site-packages /usr/local/lib/python3*/dist-packages /usr/local/lib/python3*/site-packages \
         /usr/lib/python3/dist-packages "$HOME"/.local/lib/python3*/site-packages /opt/conda/lib/python3*/site-packages; do
  [ -d "$d/nvidia" ] && search_roots+=("$d/nvidia")
done
{
  echo "search roots: ${search_roots[*]:-none}"
  timeout 40 find "${search_roots[@]}" -maxdepth 7 \( -name 'libcublas.so.*' -o -name 'libcublasLt.so.*' \
      -o -name 'libcudnn.so.*' -o -name 'libcudnn_*.so.*' -o -name 'libcudart.so.*' -o -name 'libnvrtc.so.*' \) \
      2>/dev/null | sort -u
} > "$out/libraries.txt"
libdirs=()
add_dir() { local d; d="$(dirname "$1")"; case " ${libdirs[*]:-} " in *" $d "*) ;; *) libdirs+=("$d");; esac; }
cublas12="$(grep -m1 '/libcublas\.so\.12' "$out/libraries.txt" || true)"
cublas13="$(grep -m1 '/libcublas\.so\.13' "$out/libraries.txt" || true)"
cudnn9="$(grep -m1 '/libcudnn\.so\.9' "$out/libraries.txt" || true)"
[ -n "$cublas12" ] && add_dir "$cublas12"
[ -n "$cudnn9" ] && add_dir "$cudnn9"
# cuDNN 9 loads its engines (libcudnn_*.so.9) and cuBLASLt from the same or a sibling nvidia/*/lib folder.
for f in $(grep -E '/libcudnn_[a-z_]+\.so\.9|/libcublasLt\.so\.1[23]|/libnvrtc\.so' "$out/libraries.txt" || true); do add_dir "$f"; done
if [ ${#libdirs[@]} -gt 0 ]; then
  export LD_LIBRARY_PATH="$(IFS=:; echo "${libdirs[*]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}" >> "$out/libraries.txt"
if [ -n "$cublas12" ]; then say "libraries: cuBLAS 12 at $(dirname "$cublas12") -> GEMM should use cuBLAS"
elif [ -n "$cublas13" ]; then say "libraries: only CUDA 13 cuBLAS ($cublas13); JCublas 12.6 needs libcublas.so.12 -> EXPECT THE HAND-WRITTEN SGEMM FALLBACK"
else say "libraries: no cuBLAS found -> hand-written SGEMM fallback"; fi
if [ -n "$cudnn9" ]; then say "libraries: cuDNN 9 at $(dirname "$cudnn9") -> convolutions should use cuDNN"
else say "libraries: no libcudnn.so.9 found -> im2col + GEMM fallback"; fi

# ---------------------------------------------------------------- 3. info
# `vrfm4j info` comes from the launcher (another part of the project); CudaInfo is the backend's own report.
if "$JAVA" "${JFLAGS[@]}" -jar "$JAR" info > "$out/info-cli.txt" 2>&1; then
  say "info (launcher): $(grep -m1 -i cuda "$out/info-cli.txt" || head -1 "$out/info-cli.txt")"
else
  say "info (launcher): not available in this jar yet (see info-cli.txt)"
fi
run info 45 "$JAVA" "${JFLAGS[@]}" -cp "$JAR" io.vrfm.backend.cuda.CudaInfo
grep -v 'WARNING: Using incubator' "$out/info.txt" | head -6 | sed 's/^/    /' | tee -a "$out/summary.txt"
if ! grep -q '^CUDA: available' "$out/info.txt"; then
  say "CUDA is not usable here; the remaining steps would only skip. Stopping."
  exit 1
fi

# ---------------------------------------------------------------- 4. CUDA parity tests
run tests 150 "$JAVA" "${JFLAGS[@]}" -jar "$CONSOLE" execute --disable-banner --details=tree \
    --class-path "$JAR:$B/test-classes" --select-class io.vrfm.backend.cuda.CudaParityTest \
    --reports-dir "$out/junit"
grep -E 'tests (successful|failed|skipped|aborted)' "$out/tests.txt" | sed 's/^/    /' | tee -a "$out/summary.txt"
grep -h '^\[CudaParityTest' "$out/tests.txt" | sed 's/^/    /' | tee -a "$out/summary.txt"

# ---------------------------------------------------------------- 5. short GPU training run
# The main job of the README, on the GPU (1,500 iterations per model, three models, then evaluation).
if "$JAVA" "${JFLAGS[@]}" -jar "$JAR" reproduce --help > /dev/null 2>&1; then
  run train 90 "$JAVA" "${JFLAGS[@]}" -jar "$JAR" reproduce synthetic-2d --quick --device cuda --out "$out/train-run"
  tail -5 "$out/train.txt" | sed 's/^/    /' | tee -a "$out/summary.txt"
else
  say "train: TODO -- 'reproduce synthetic-2d --quick --device cuda' not in this jar yet (hook in gpu-check.sh step 5)"
fi

# ---------------------------------------------------------------- 6. JMH CUDA benchmarks
# The CUDA benchmarks (bench/src/main/java/io/vrfm/bench/Cuda*Bench.java) are in vrfm4j-bench.jar.
# Skipped (with a note) when the bundle lacks that jar.
if "$JAVA" "${JFLAGS[@]}" -cp "$BENCH_JAR" io.vrfm.bench.CudaBenchMain --check > /dev/null 2>&1; then
  run bench 110 "$JAVA" "${JFLAGS[@]}" -cp "$BENCH_JAR" io.vrfm.bench.CudaBenchMain -wi 1 -i 3 -r 1s -w 1s -f 1 \
      -rf json -rff "$out/jmh-cuda.json"
  sed -n '/^| /p; /SGEMM/p' "$out/bench.txt" | sed 's/^/    /' | tee -a "$out/summary.txt"
  # one 2-D V-RFM / RFM training step, CUDA against the CPU backend, at batch 1000 and 65536 (ms/step)
  run step-bench 80 "$JAVA" "${JFLAGS[@]}" -cp "$BENCH_JAR" org.openjdk.jmh.Main io.vrfm.bench.VrfmStepBench \
      -p device=cuda,cpu -p batch=1000,65536 -p threads=16 -wi 1 -i 2 -w 1s -r 1s -f 1 -rf json -rff "$out/jmh-step.json"
  grep -E '^VrfmStepBench|^Benchmark' "$out/step-bench.txt" | sed 's/^/    /' | tee -a "$out/summary.txt"
else
  say "bench: skipped -- io.vrfm.bench.CudaBenchMain not found in $BENCH_JAR"
fi

say "done in $(( $(date +%s) - start ))s; everything is in $out"
