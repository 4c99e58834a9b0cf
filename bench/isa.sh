# Sourced by the bench/run-*.sh scripts (after `set -euo pipefail`): BENCH_ISA=avx2 measures both sides on the AVX2
# path of an AVX-512 machine, so that a laptop-class CPU can be measured fairly where only an AVX-512 one is at hand.
#   vrfm4j:   -XX:UseAVX=2 in JAVA_TOOL_OPTIONS (256-bit species, the 16-register 6x2 SGEMM tile; JMH forks inherit it)
#   OpenBLAS: OPENBLAS_CORETYPE=Haswell (NumPy's and PyTorch's matmul; both builds pick their kernel at run time)
#   oneDNN:   ONEDNN_MAX_CPU_ISA=AVX2 (PyTorch's convolutions)
# Unset (the default), every side uses the best the machine has. The scripts print the ISA line below.
case "${BENCH_ISA:-}" in
  "")
    bench_isa_line="# ISA: each side's best on this CPU (BENCH_ISA=avx2 restricts both sides to AVX2)" ;;
  avx2|AVX2)
    export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:+$JAVA_TOOL_OPTIONS }-XX:UseAVX=2"
    export OPENBLAS_CORETYPE=Haswell ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2
    bench_isa_line="# ISA: AVX2 on both sides (BENCH_ISA=avx2: JVM -XX:UseAVX=2, OPENBLAS_CORETYPE=Haswell, ONEDNN_MAX_CPU_ISA=AVX2)" ;;
  *)
    echo "BENCH_ISA=$BENCH_ISA is not an instruction set these scripts can restrict to: use BENCH_ISA=avx2, or leave it unset" >&2
    exit 2 ;;
esac
echo "$bench_isa_line" >&2
echo "# JVM: $(java -version 2>&1 | grep -v '^Picked up' | head -1) ($(command -v java); put another JDK's bin first on PATH to measure it)" >&2
