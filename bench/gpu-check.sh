#!/usr/bin/env bash
# gpu-check.sh - everything a GPU host can tell us in one call, inside a global deadline (450 s by default).
# Runs from the bundle that bench/pack-gpu-bundle.sh builds (jlinked Temurin 25 runtime; lib/ with the library,
# launcher and benchmark classes as three jars plus their dependency jars; the library tests; the JUnit console): the host needs only the NVIDIA driver (and, for the accelerated paths, cuBLAS / cuDNN somewhere on
# disk) -- no JDK, no Maven, no network. On the lent GPU machine: bench/gpu-run.sh (see pack-gpu-bundle.sh).
#
# Every result is written into the results folder as it goes, as exactly these eight files (the most that come
# back from the GPU machine's $OUT), so a step that hangs or a killed call still leaves everything before it:
#   summary.txt        one line per step, appended the moment the step ends
#   host.txt           step 0: java -version, ldd --version, nvidia-smi, driver, the CUDA libraries found
#                      (pip site-packages incl. venvs and conda, /usr/local/cuda*, ldconfig) and their versions
#   info.txt           step 1: the backend's CUDA probe, GEMM/conv paths, a one-kernel smoke test; launcher info
#   parity.txt         step 2: CudaParityTest, one JVM per nested class (fallback paths first), streamed test
#                      events, CUDA_LAUNCH_BLOCKING=1 (a fault names its kernel and grid); a JVM past its limit
#                      gets SIGQUIT (thread dump into this file), then SIGKILL
#   parity-junit.xml   step 2: the JUnit XML report of each JVM, appended after it ends
#   train.txt          step 3: the README main job (reproduce synthetic-2d --quick) with --device cuda
#   bench.txt          step 4: JMH CUDA benchmarks (element-wise GB/s vs copy, SGEMM kernel vs cuBLAS), V-RFM step;
#                      step 5: the PyTorch peers (torch.matmul FP32/TF32, V-RFM step at batch 65536, UNet step at
#                      batch 128, each with torch.cuda.max_memory_allocated) and our UNet step on CUDA;
#                      step 6: attention forward + backward and the SiT-S/2 step at batch 32, ours and PyTorch
#   extra.tgz          everything else (per-JVM reports, the training run folder, JMH JSON), re-packed after
#                      every step
# Every step and every command runs under `timeout`, each limited by what is left of the global deadline.
# When CUDA is unusable, every CUDA step still runs (tests skip, commands fail fast) and reports
# "unusable: <the probe's one-line reason>".
#
# Usage: gpu-check.sh [results-dir]   (default: $OUT when set, else ./results/gpu-check-<UTC time>)
# Environment: GPU_CHECK_DEADLINE_S (default 450), VRFM_CUDA_DEVICE (ordinal, default 0),
#              GPU_CHECK_SEARCH_ROOTS (extra folders to search for CUDA libraries), GPU_BUNDLE (bundle folder)
set -uo pipefail
export LC_ALL=C

here="$(cd "$(dirname "$0")" && pwd)"
if [ -n "${GPU_BUNDLE:-}" ]; then B="$GPU_BUNDLE"
elif [ -x "$here/runtime/bin/java" ]; then B="$here"                                     # inside the bundle
elif [ -x "$here/../target/gpu-bundle/runtime/bin/java" ]; then B="$(cd "$here/../target/gpu-bundle" && pwd)"
else
  echo "gpu-check: no bundle found; build one with bench/pack-gpu-bundle.sh" >&2
  exit 2
fi
MAIN_CLASS=io.vrfm.cli.Main
# shellcheck disable=SC1091
[ -f "$B/bundle.env" ] && . "$B/bundle.env"
MAIN_CLASS="${MAIN_CLASS:-io.vrfm.cli.Main}"   # an older bundle.env may name none
JAVA="$B/runtime/bin/java"
CP="$B/lib/*"
CP_JARS="$(ls "$B"/lib/*.jar 2>/dev/null | paste -sd: -)"   # spelled out: the JUnit console does not expand lib/*
CONSOLE="$(ls "$B"/test/junit-platform-console-standalone-*.jar 2>/dev/null | head -1)"
TESTS="$B/test/classes"
DEV="${VRFM_CUDA_DEVICE:-0}"
JFLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx16g "-Dvrfm.cuda.device=$DEV"
        -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8)

out="${1:-${OUT:-$PWD/results/gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}}"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"   # what goes into extra.tgz
start=$(date +%s)
deadline=$(( start + ${GPU_CHECK_DEADLINE_S:-450} ))
RESERVE=12   # seconds kept at the end for the last extra.tgz and the closing line

say() { echo "[+$(( $(date +%s) - start ))s] $*" | tee -a "$out/summary.txt"; }
left() { echo $(( deadline - RESERVE - $(date +%s) )); }
# budget LIMIT: LIMIT capped by what is left of the deadline (less the kill grace); 0 when nothing is left
budget() { local l; l=$(( $(left) - 6 )); [ "$l" -gt "$1" ] && l=$1; [ "$l" -lt 3 ] && l=0; echo "$l"; }
# lim LIMIT CMD...: CMD under timeout (SIGQUIT first -- a JVM prints its threads -- then SIGKILL 5 s later);
# prints nothing itself, returns CMD's status, 124/137 on timeout, 125 when no time is left
lim() {
  local l; l=$(budget "$1"); shift
  [ "$l" = 0 ] && return 125
  timeout -s QUIT -k 5 "$l" "$@"
}
# outcome RC LIMIT: the words for a step's exit status
outcome() {
  case "$1" in
    0) echo "ok" ;;
    124|137) echo "TIMED OUT (limit $2 s or the global deadline)" ;;
    125) echo "skipped: global deadline reached" ;;
    *) echo "exit $1" ;;
  esac
}
pack_extra() {
  timeout 20 tar -czf "$out/extra.tgz.part" -C "$work" --exclude='*.safetensors' . 2>/dev/null \
    && mv -f "$out/extra.tgz.part" "$out/extra.tgz"
  rm -f "$out/extra.tgz.part"
}

: > "$out/summary.txt"
say "vrfm4j gpu-check: results in $out, deadline $(( deadline - start )) s"
[ -f "$B/BUNDLE.txt" ] && grep -E '^(built|commit|java runtime)' "$B/BUNDLE.txt" | sed 's/^/    bundle /' | tee -a "$out/summary.txt"

# ------------------------------------------------------------------ 0. host, runtime, driver, libraries
host="$out/host.txt"
{
  echo "== date: $(date -u)"; echo "== host: $(uname -a)"
  echo "== cpus: $(nproc)  $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null)"
  grep -E 'MemTotal|MemAvailable' /proc/meminfo 2>/dev/null
  echo "== java -version (bundled runtime)"; lim 20 "$JAVA" -version 2>&1
  echo "== ldd --version"; lim 5 ldd --version 2>&1 | head -1
  echo "== nvidia-smi"
  if command -v nvidia-smi >/dev/null; then
    lim 20 nvidia-smi 2>&1
    lim 20 nvidia-smi --query-gpu=index,name,driver_version,memory.total,compute_cap,clocks.max.sm --format=csv 2>&1
  else
    echo "nvidia-smi not found"
  fi
  [ -r /proc/driver/nvidia/version ] && cat /proc/driver/nvidia/version
  echo "== ldconfig -p (CUDA and C++ runtime libraries)"
  lim 10 ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libcublas|libcudnn|libcudart|libnvrtc|libstdc\+\+' || echo "none in the ldconfig cache"
} > "$host" 2>&1
java_line="$(grep -m1 -E 'version "' "$host" || echo 'java: did not start')"
glibc="$(grep -A1 '^== ldd' "$host" | tail -1 | grep -oE '[0-9]+\.[0-9]+$' || echo '?')"
gpu="$(command -v nvidia-smi >/dev/null && lim 15 nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv,noheader -i "$DEV" 2>/dev/null | head -1)"
say "step 0 host: ${java_line}; glibc ${glibc}; GPU: ${gpu:-none (no nvidia-smi or no device $DEV)}"

# Library search: CUDA install folders, every Python's site-packages (system, user, venvs, conda envs) with
# pip's nvidia/*/lib, and the ldconfig cache.
roots=()
add_root() { local d; for d in "$@"; do [ -d "$d" ] && roots+=("$d"); done; return 0; }
# shellcheck disable=SC2086
add_root ${GPU_CHECK_SEARCH_ROOTS:-} ${CUDA_HOME:-} ${CUDA_PATH:-} /usr/local/cuda /usr/local/cuda-* /opt/nvidia
sitedirs=()
pythons=()
for p in python3 python; do command -v "$p" >/dev/null && pythons+=("$(command -v "$p")"); done
for p in /opt/conda/bin/python3 /opt/conda/envs/*/bin/python3 /usr/local/bin/python3 /usr/bin/python3 \
         /opt/*/bin/python3 /root/*/bin/python3 /home/*/*/bin/python3 /venv*/bin/python3 /workspace/*/bin/python3; do
  [ -x "$p" ] && pythons+=("$p")
done
while IFS= read -r cfg; do [ -x "$(dirname "$cfg")/bin/python3" ] && pythons+=("$(dirname "$cfg")/bin/python3"); done < <(
  lim 15 find / -xdev -maxdepth 5 -name pyvenv.cfg -not -path '/proc/*' 2>/dev/null)
for py in $(printf '%s\n' "${pythons[@]}" | sort -u | head -12); do
  while IFS= read -r d; do [ -d "$d" ] && sitedirs+=("$d"); done < <(
    lim 10 "$py" -c 'import site,sys; print("\n".join(site.getsitepackages()+[site.getusersitepackages()]+sys.path))' 2>/dev/null)
done
for d in /usr/lib/python3*/site-packages /usr/lib/python3*/dist-packages /usr/local/lib/python3*/site-packages \
         /usr/local/lib/python3*/dist-packages /opt/conda/lib/python3*/site-packages \
         /opt/conda/envs/*/lib/python3*/site-packages "$HOME"/.local/lib/python3*/site-packages; do
  [ -d "$d" ] && sitedirs+=("$d")
done
mapfile -t sitedirs < <(printf '%s\n' "${sitedirs[@]}" | sort -u)
for d in "${sitedirs[@]}"; do add_root "$d/nvidia" "$d/torch/lib"; done
mapfile -t roots < <(printf '%s\n' "${roots[@]}" | sort -u)
libs="$work/libraries.txt"
[ ${#roots[@]} -gt 0 ] && lim 30 find "${roots[@]}" -maxdepth 6 \( -name 'libcublas.so*' -o -name 'libcublasLt.so*' -o -name 'libcudnn.so*' \
    -o -name 'libcudnn_*.so*' -o -name 'libcudart.so*' -o -name 'libnvrtc.so*' \) 2>/dev/null | sort -u > "$libs"
lim 10 ldconfig -p 2>/dev/null | grep -oE '/[^ ]*lib(cublas|cublasLt|cudnn|cudart)[^ ]*\.so[.0-9]*$' >> "$libs"
{
  echo "== pythons: ${pythons[*]:-none}"
  echo "== search roots: ${roots[*]:-none}"
  echo "== libraries found (-> real file)"
  sort -u "$libs" | while IFS= read -r f; do echo "$f -> $(readlink -f "$f")"; done
  echo "== pip packages (versions)"
  for d in "${sitedirs[@]}"; do
    ls -d "$d"/nvidia_cublas*.dist-info "$d"/nvidia_cudnn*.dist-info "$d"/nvidia_cuda_runtime*.dist-info \
          "$d"/torch-*.dist-info 2>/dev/null
  done | sort -u
  for h in $([ ${#roots[@]} -gt 0 ] && lim 10 find "${roots[@]}" -maxdepth 4 -name 'cudnn_version*.h' 2>/dev/null | head -3); do
    echo "== $h"; grep -E 'define CUDNN_(MAJOR|MINOR|PATCHLEVEL)' "$h"
  done
} >> "$host" 2>&1
first_lib() { grep -m1 -E "$1" "$libs" || true; }
# pipver GLOB: " (pip package-version)" of the first matching dist-info, or nothing
pipver() { local v; v="$(for d in "${sitedirs[@]}"; do ls -d "$d"/$1-*.dist-info 2>/dev/null; done | head -1 | xargs -r basename | sed 's/\.dist-info$//')"; [ -n "$v" ] && echo " (pip $v)"; }
cublas12="$(first_lib '/libcublas\.so\.12')"
cublas13="$(first_lib '/libcublas\.so\.13')"
cudnn9="$(first_lib '/libcudnn\.so\.9')"
libdirs=()
add_dir() { local d; d="$(dirname "$1")"; case " ${libdirs[*]:-} " in *" $d "*) ;; *) libdirs+=("$d") ;; esac; }
for f in "$cublas12" "$cublas13" "$cudnn9"; do [ -n "$f" ] && add_dir "$f"; done
# cuDNN 9 loads its engine libraries (libcudnn_*.so.9) and cuBLASLt at the first convolution
for f in $(grep -E '/libcudnn_[a-z_]+\.so\.9|/libcublasLt\.so\.1[23]|/libnvrtc\.so' "$libs" || true); do add_dir "$f"; done
if [ ${#libdirs[@]} -gt 0 ]; then
  export LD_LIBRARY_PATH="$(IFS=:; echo "${libdirs[*]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
[ -n "$cublas13" ] && export VRFM_CUBLAS13="$cublas13"   # where a cuBLAS 13 binding may look first
echo "== LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}" >> "$host"
torch=""; torch_py=""   # the first of the first three Pythons that imports torch (step 5 runs the peers with it)
for py in "${pythons[@]:0:3}"; do
  t="$(lim 40 "$py" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "cuDNN", torch.backends.cudnn.version())' 2>/dev/null | head -1)"
  if [ -n "$t" ]; then torch="$t"; torch_py="$py"; break; fi
done
echo "== ${torch:-torch: not importable}${torch_py:+ ($torch_py)}" >> "$host"
say "step 0 libraries: cuBLAS 12: ${cublas12:-none}; cuBLAS 13: ${cublas13:-none}$(pipver 'nvidia_cublas*'); cuDNN 9: ${cudnn9:-none}$(pipver 'nvidia_cudnn*'); ${torch:-no torch}"
[ -z "$cublas12" ] && say "step 0 note: no libcublas.so.12 -> JCublas 12.6 cannot load; GEMM takes the hand-written kernel unless a cuBLAS 13 binding is present"
pack_extra

# ------------------------------------------------------------------ 1. CUDA probe, paths, smoke test
info="$out/info.txt"
echo "== CudaInfo" > "$info"
lim 60 "$JAVA" "${JFLAGS[@]}" -cp "$CP" io.vrfm.backend.cuda.CudaInfo >> "$info" 2>&1
rc=$?
probe="$(grep -m1 '^CUDA' "$info" || echo 'CUDA: no probe line (see info.txt)')"
if grep -q '^CUDA: available' "$info"; then CUDA_OK=1; REASON=""; else CUDA_OK=0; REASON="${probe#CUDA: }"; fi
if [ "$CUDA_OK" = 1 ]; then
  say "step 1 info: $(outcome $rc 60): $probe"
  grep -E '^(default|fallback|smoke)' "$info" | sed 's/^/    /' | tee -a "$out/summary.txt"
else
  say "step 1 info: unusable: $REASON ($(outcome $rc 60))"
fi
echo "== launcher: info" >> "$info"
lim 40 "$JAVA" "${JFLAGS[@]}" -cp "$CP" "$MAIN_CLASS" info >> "$info" 2>&1
rc=$?
say "step 1 launcher info: $(outcome $rc 40)$( [ "$CUDA_OK" = 0 ] && echo "; unusable: $REASON")"
pack_extra

# ------------------------------------------------------------------ 2. parity, one JVM per nested class
parity="$out/parity.txt"
: > "$parity"
: > "$out/parity-junit.xml"
classes=()
if [ -d "$TESTS/io/vrfm/backend/cuda" ]; then
  mapfile -t nested < <(cd "$TESTS/io/vrfm/backend/cuda" && ls | sed -n 's/^CudaParityTest\$\([A-Za-z][A-Za-z0-9]*\)\.class$/\1/p' | sort)
  for n in "${nested[@]}"; do [[ "$n" == Fallback* ]] && classes+=("$n"); done   # fallback paths first
  for n in "${nested[@]}"; do [[ "$n" == Fallback* ]] || classes+=("$n"); done
fi
[ ${#classes[@]} = 0 ] && say "step 2 parity: no CudaParityTest nested classes in $TESTS"
for n in "${classes[@]}"; do
  cls="io.vrfm.backend.cuda.CudaParityTest\$$n"
  rep="$work/junit-$n"
  echo "===== $cls (CUDA_LAUNCH_BLOCKING=1) $(date -u +%H:%M:%S)" >> "$parity"
  before=$(wc -l < "$parity")
  CUDA_LAUNCH_BLOCKING=1 lim 150 "$JAVA" "${JFLAGS[@]}" -jar "$CONSOLE" execute --disable-banner --details=verbose \
      --disable-ansi-colors --class-path "$CP_JARS:$TESTS" --select-class "$cls" --reports-dir "$rep" >> "$parity" 2>&1
  rc=$?
  cat "$rep"/TEST-junit-jupiter.xml >> "$out/parity-junit.xml" 2>/dev/null
  tail -n +$(( before + 1 )) "$parity" > "$work/this.txt"
  tail -25 "$work/this.txt" > "$work/tail.txt"
  count() { grep -m1 -E "\[ *[0-9]+ tests $1" "$work/tail.txt" | grep -oE '[0-9]+' | head -1; }
  ok="$(count successful)"; failed="$(count failed)"; skipped="$(count skipped)"; aborted="$(count aborted)"
  tally="${ok:-?} passed, ${failed:-?} failed, ${aborted:-?} aborted, ${skipped:-?} skipped"
  last="$(grep -E '├─ .*\)$' "$work/this.txt" | tail -1 | sed 's/.*├─ //')"
  if [ "$rc" = 125 ]; then
    say "step 2 parity $n: $(outcome $rc 150)"
  elif [ "${ok:-0}${failed:-0}${aborted:-0}${skipped:-0}" = "0000" ] && [ "$rc" != 124 ] && [ "$rc" != 137 ]; then
    say "step 2 parity $n: NO TESTS RAN ($(grep -m1 -oE 'resolution failed|Cause: [^ ]+ [^ ]+' "$parity" | tail -1); see parity.txt)"
  else case $rc in
    0|1) if [ "$CUDA_OK" = 0 ]; then say "step 2 parity $n: unusable: $REASON ($tally)"
         else say "step 2 parity $n: $( [ $rc = 0 ] && echo ok || echo FAILURES) ($tally)"; fi ;;
    *)   say "step 2 parity $n: $(outcome $rc 150) ($tally; last test started: ${last:-none}; thread dump in parity.txt)" ;;
  esac; fi
  # the failing (and, with a usable GPU, the aborted) tests with the first line of what they caught
  bad='FAILED'; [ "$CUDA_OK" = 1 ] && bad='FAILED|ABORTED'
  awk -v bad="$bad" '/├─ .*\)$/ {t=$0; sub(/.*├─ /, "", t); caught=""}
       /caught: / && caught == "" {caught=$0; sub(/.*caught: /, "", caught)}
       /status: / && $0 ~ bad {st=$0; sub(/.*status: [^A-Z]*/, "", st); print t ": " st ": " substr(caught, 1, 220)}' \
      "$work/this.txt" | head -10 | sed 's/^/    /' | tee -a "$out/summary.txt"
  pack_extra
done

# ------------------------------------------------------------------ 3. the README main job on the GPU
mkdir -p "$work/train-run"
lim 100 "$JAVA" "${JFLAGS[@]}" -cp "$CP" "$MAIN_CLASS" reproduce synthetic-2d --quick --device cuda \
    --out "$work/train-run" --force > "$out/train.txt" 2>&1
rc=$?
if [ "$CUDA_OK" = 0 ]; then
  say "step 3 train (reproduce synthetic-2d --quick --device cuda): unusable: $REASON ($(outcome $rc 100): $(grep -v 'WARNING' "$out/train.txt" | grep -m1 . | cut -c1-160))"
else
  say "step 3 train (reproduce synthetic-2d --quick --device cuda): $(outcome $rc 100)"
  grep -v WARNING "$out/train.txt" | tail -6 | sed 's/^/    /' | tee -a "$out/summary.txt"
fi
pack_extra

# ------------------------------------------------------------------ 4. benchmarks
: > "$out/bench.txt"
echo "== CudaBenchMain" >> "$out/bench.txt"
lim 110 "$JAVA" "${JFLAGS[@]}" -cp "$CP" io.vrfm.bench.CudaBenchMain -wi 1 -i 3 -r 1s -w 1s -f 1 \
    -rf json -rff "$work/jmh-cuda.json" >> "$out/bench.txt" 2>&1
rc=$?
if [ "$CUDA_OK" = 0 ]; then
  say "step 4 bench (CUDA kernels): unusable: $REASON ($(outcome $rc 110))"
else
  say "step 4 bench (CUDA kernels): $(outcome $rc 110)"
  sed -n '/^| /p' "$out/bench.txt" | sed 's/^/    /' | tee -a "$out/summary.txt"
  # one 2-D V-RFM training step, CUDA at batch 1000 and 65536 (ms/step)
  echo "== VrfmStepBench" >> "$out/bench.txt"
  lim 80 "$JAVA" "${JFLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main 'io.vrfm.bench.VrfmStepBench' \
      -p device=cuda -p batch=1000,65536 -wi 1 -i 2 -w 1s -r 1s -f 1 -rf json -rff "$work/jmh-step.json" >> "$out/bench.txt" 2>&1
  rc=$?
  say "step 4 bench (V-RFM step): $(outcome $rc 80)"
  grep -E '^VrfmStepBench|^Benchmark' "$out/bench.txt" | sed 's/^/    /' | tee -a "$out/summary.txt"
fi
pack_extra

# ------------------------------------------------------------------ 5. the PyTorch peer, in the same run (<= 90 s)
# bench/gemm_torch.py, vrfm_step_torch.py and unet_step_torch.py from the checkout beside this script (gpu-run.sh
# runs the checkout's gpu-check.sh; the bundle does not carry them), run with the Python that imported torch in
# step 0; our UNet step (UnetStepBench -p device=cuda) at batch 128; ratios ours/PyTorch where both sides ran.
# Peak memory: ours is the caching allocator's high-water mark of bytes live in buffers (bucket-rounded), PyTorch's
# is torch.cuda.max_memory_allocated after warm-up; both include the parameters and optimizer state.
STEP5_S=90
step5_end=$(( $(date +%s) + STEP5_S ))
# slim LIMIT CMD...: lim, capped also by what is left of step 5's own budget
slim() { local l r; l=$1; shift; r=$(( step5_end - $(date +%s) )); [ "$r" -lt "$l" ] && l=$r; [ "$l" -lt 3 ] && return 125; lim "$l" "$@"; }
pydir="$here"; [ -f "$pydir/gemm_torch.py" ] || pydir="$B/bench"
echo "== step 5: PyTorch peers (${torch_py:-no Python with torch}; scripts in $pydir)" >> "$out/bench.txt"
peer_reason=""
if [ -z "$torch_py" ]; then peer_reason="no Python with torch found (step 0)"
elif [ ! -f "$pydir/gemm_torch.py" ]; then peer_reason="the PyTorch peer scripts are not in $pydir (run the checkout's bench/gpu-check.sh, as gpu-run.sh does)"
fi
# num FILE REGEX FIELD: the FIELD-th word of the last line of FILE matching REGEX
num() { grep -E "$2" "$1" 2>/dev/null | tail -1 | awk -v f="$3" '{print $f}'; }
# ratio A B: A/B with 2 decimals, or "-" when either is missing or B is 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
# peak_of FILE PARAMS-REGEX: our allocator's "peak N MiB live" after the JMH trial whose "# Parameters:" match
peak_of() { awk -v want="$2" '/^# Parameters:/ {cur = ($0 ~ want)} cur && /peak [0-9.]+ MiB live/ {
    m = $0; sub(/.*peak /, "", m); sub(/ MiB live.*/, "", m); p = m} END {print p}' "$1"; }
peer() {   # peer NAME LIMIT SCRIPT ARGS...: runs a peer into $work/NAME.txt (and bench.txt); echoes its status
  local name=$1 l=$2; shift 2
  echo "-- $* (limit $l s)" >> "$out/bench.txt"
  slim "$l" "$torch_py" "$pydir/$@" > "$work/$name.txt" 2>> "$out/bench.txt"
  local rc=$?
  cat "$work/$name.txt" >> "$out/bench.txt"
  return $rc
}
# 5a. GEMM at CudaGemmBench's size; its "unusable: ..." line (torch without CUDA) stops the other peers
t32=""; ttf=""; tms=""; tpk_v=""; tis=""; tpk_u=""; rc_g=125; rc_v=125; rc_u=125
if [ -z "$peer_reason" ]; then
  peer gemm 30 gemm_torch.py --n 4096 --reps 20 --warmup 5; rc_g=$?
  peer_reason="$(grep -m1 '^unusable: ' "$work/gemm.txt" | sed 's/^unusable: //')"
  [ -z "$peer_reason" ] && [ "$rc_g" != 0 ] && peer_reason="gemm_torch.py: $(outcome $rc_g 30) (see bench.txt)"
  t32="$(num "$work/gemm.txt" '^gemm torch fp32' 7)"; ttf="$(num "$work/gemm.txt" '^gemm torch tf32' 7)"
fi
if [ -z "$peer_reason" ]; then
  # 5b. the V-RFM step at batch 65536 (ours: step 4's VrfmStepBench, method vrfm)
  peer vrfm 25 vrfm_step_torch.py --device cuda --method vrfm --batch 65536 --steps 10 --warmup 3; rc_v=$?
  tms="$(num "$work/vrfm.txt" '^vrfm ' 2)"; tpk_v="$(num "$work/vrfm.txt" '^peak_mib' 2)"
  # 5c. the UNet step at batch 128
  peer unet 30 unet_step_torch.py --device cuda --batch 128 --iters 5 --warmup 2 --repeats 2; rc_u=$?
  tis="$(num "$work/unet.txt" '^images/s' 2)"; tpk_u="$(num "$work/unet.txt" '^peak_mib' 2)"
fi
# ours: the UNet step on CUDA at batch 128 (the GEMM and V-RFM sides ran in step 4)
rc_o=125
if [ "$CUDA_OK" = 1 ]; then
  echo "== UnetStepBench -p device=cuda -p batch=128" >> "$out/bench.txt"
  slim 50 "$JAVA" "${JFLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main 'io.vrfm.bench.UnetStepBench' \
      -p device=cuda -p batch=128 -wi 1 -i 2 -w 1s -r 2s -f 1 -rf json -rff "$work/jmh-unet.json" >> "$out/bench.txt" 2>&1
  rc_o=$?
fi
o32="$(num "$out/bench.txt" '^\| cublas \| 4096 \|' 6)"; otf="$(num "$out/bench.txt" '^\| cublas-tf32 \| 4096 \|' 6)"
oker="$(num "$out/bench.txt" '^\| kernel \| 4096 \|' 6)"
vline="$(grep -E '^VrfmStepBench\.step +65536 +cuda +vrfm ' "$out/bench.txt" | tail -1)"
oms="$(echo "$vline" | awk '{print $(NF-3)}')"                                    # "score ± error ms/op"
case "$oms" in [0-9]*) ;; *) oms="$(echo "$vline" | awk 'NF {print $(NF-1)}')" ;; esac   # "score ms/op"
opk_v="$(peak_of "$out/bench.txt" 'batch = 65536, device = cuda, method = vrfm')"
ops="$(grep -E '^UnetStepBench\.step ' "$out/bench.txt" | tail -1 | awk '{for (i = 1; i <= NF; i++) if ($i == "thrpt") {print $(i + 2); exit}}')"
ois="$(awk -v o="$ops" 'BEGIN { if (o != "") printf "%.2f", o * 128 }')"
opk_u="$(peak_of "$out/bench.txt" 'batch = 128, device = cuda')"
if [ -n "$peer_reason" ]; then p5="PyTorch: unusable: $peer_reason"; else p5="PyTorch: gemm $(outcome $rc_g 30), vrfm $(outcome $rc_v 25), unet $(outcome $rc_u 30)"; fi
if [ "$CUDA_OK" = 1 ]; then o5="ours: UNet $(outcome $rc_o 50)"; else o5="ours: unusable: $REASON"; fi
say "step 5 PyTorch peer (ours/PyTorch where both ran): $p5; $o5"
if [ -z "$peer_reason" ] || [ "$CUDA_OK" = 1 ]; then   # the numbers, when at least one side ran
say "    GEMM n=4096 FP32 GFLOP/s: torch.matmul ${t32:--}; ours cuBLAS ${o32:--} ($(ratio "$o32" "$t32")), kernel ${oker:--} ($(ratio "$oker" "$t32"))"
say "    GEMM n=4096 TF32 GFLOP/s: torch.matmul ${ttf:--}; ours cuBLAS TF32 ${otf:--} ($(ratio "$otf" "$ttf"))"
say "    V-RFM step batch 65536 ms/step: torch ${tms:--}; ours ${oms:--} ($(ratio "$oms" "$tms"); below 1 is faster); peak MiB: torch ${tpk_v:--}, ours ${opk_v:--} ($(ratio "$opk_v" "$tpk_v"))"
say "    UNet step batch 128 images/s: torch ${tis:--}; ours ${ois:--} ($(ratio "$ois" "$tis")); peak MiB: torch ${tpk_u:--}, ours ${opk_u:--} ($(ratio "$opk_u" "$tpk_u"))"
fi
pack_extra

# ------------------------------------------------------------------ 6. attention and SiT-S/2 on CUDA (<= 80 s)
# Ours: AttentionBench -p device=cuda ([8, 6, 256, 64] forward + backward, ms) and SiTStepBench -p device=cuda at
# batch 32 (class-conditional RFM step of SiT-S/2 on 3x32x32, images/s); PyTorch: attention_torch.py and
# sit_step_torch.py --device cuda (same sizes). Output goes into bench.txt and summary.txt only (no new files in the
# results folder); whatever the global deadline leaves of 80 s is shared in this order.
STEP6_S=80
step6_end=$(( $(date +%s) + STEP6_S ))
s6lim() { local l r; l=$1; shift; r=$(( step6_end - $(date +%s) )); [ "$r" -lt "$l" ] && l=$r; [ "$l" -lt 3 ] && return 125; lim "$l" "$@"; }
# jmh_score FILE BENCH MODE: the score after MODE (thrpt/avgt) on BENCH's result line
jmh_score() { grep -E "^$2 " "$1" 2>/dev/null | tail -1 | awk -v m="$3" '{for (i = 1; i <= NF; i++) if ($i == m) {print $(i + 2); exit}}'; }
echo "== step 6: attention and SiT-S/2 step on CUDA" >> "$out/bench.txt"
oat=""; osit=""; opk_s=""; tat=""; tsit=""; tpk_s=""; rc_oa=125; rc_os=125; rc_ta=125; rc_ts=125
if [ "$CUDA_OK" = 1 ]; then
  s6lim 22 "$JAVA" "${JFLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main 'io.vrfm.bench.AttentionBench' -p device=cuda \
      -wi 1 -i 2 -w 1s -r 1s -f 1 -rf json -rff "$work/jmh-attention.json" > "$work/attention-ours.txt" 2>&1
  rc_oa=$?
  cat "$work/attention-ours.txt" >> "$out/bench.txt"
  oat="$(jmh_score "$work/attention-ours.txt" 'AttentionBench\.forwardBackward' avgt)"
fi
if [ -z "$peer_reason" ]; then
  echo "-- attention_torch.py --device cuda" >> "$out/bench.txt"
  s6lim 15 "$torch_py" "$pydir/attention_torch.py" --device cuda --iters 20 > "$work/attention-torch.txt" 2>> "$out/bench.txt"
  rc_ta=$?
  cat "$work/attention-torch.txt" >> "$out/bench.txt"
  tat="$(num "$work/attention-torch.txt" '^attention ' 2)"
fi
if [ "$CUDA_OK" = 1 ]; then
  s6lim 35 "$JAVA" "${JFLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main 'io.vrfm.bench.SiTStepBench' -p device=cuda \
      -p batch=32 -wi 1 -i 2 -w 1s -r 2s -f 1 -rf json -rff "$work/jmh-sit.json" > "$work/sit-ours.txt" 2>&1
  rc_os=$?
  cat "$work/sit-ours.txt" >> "$out/bench.txt"
  ops_s="$(jmh_score "$work/sit-ours.txt" 'SiTStepBench\.step' thrpt)"
  osit="$(awk -v o="$ops_s" 'BEGIN { if (o != "") printf "%.2f", o * 32 }')"
  opk_s="$(peak_of "$work/sit-ours.txt" 'batch = 32, device = cuda')"
fi
if [ -z "$peer_reason" ]; then
  echo "-- sit_step_torch.py --device cuda --batch 32" >> "$out/bench.txt"
  s6lim 25 "$torch_py" "$pydir/sit_step_torch.py" --device cuda --batch 32 --iters 5 --warmup 2 --repeats 2 \
      > "$work/sit-torch.txt" 2>> "$out/bench.txt"
  rc_ts=$?
  cat "$work/sit-torch.txt" >> "$out/bench.txt"
  tsit="$(num "$work/sit-torch.txt" '^images/s' 2)"; tpk_s="$(num "$work/sit-torch.txt" '^peak_mib' 2)"
fi
if [ -n "$peer_reason" ]; then p6="PyTorch: unusable: $peer_reason"; else p6="PyTorch: attention $(outcome $rc_ta 15), SiT $(outcome $rc_ts 25)"; fi
if [ "$CUDA_OK" = 1 ]; then o6="ours: attention $(outcome $rc_oa 22), SiT $(outcome $rc_os 35)"; else o6="ours: unusable: $REASON"; fi
say "step 6 attention + SiT-S/2 on CUDA (ours/PyTorch where both ran): $p6; $o6"
if [ -z "$peer_reason" ] || [ "$CUDA_OK" = 1 ]; then
say "    attention fwd+bwd [8, 6, 256, 64] ms: torch ${tat:--}; ours ${oat:--} ($(ratio "$oat" "$tat"); below 1 is faster)"
say "    SiT-S/2 step batch 32 images/s: torch ${tsit:--}; ours ${osit:--} ($(ratio "$osit" "$tsit")); peak MiB: torch ${tpk_s:--}, ours ${opk_s:--} ($(ratio "$opk_s" "$tpk_s"))"
fi
pack_extra

say "done in $(( $(date +%s) - start )) s (deadline $(( deadline - start )) s); files: $(cd "$out" && ls | paste -sd' ' -)"
rm -rf "$work"
