#!/usr/bin/env bash
# Builds target/gpu-bundle/ (and target/gpu-bundle.tar.gz): everything bench/gpu-check.sh needs on a GPU host that
# has only the NVIDIA driver and (maybe) CUDA libraries -- no JDK, no Maven, no network:
#   runtime/        a jlinked Java runtime (modules from jdeps + the engine's fixed list)
#   vrfm4j.jar      the shaded launcher jar (engine, JCuda/JCublas/JCudnn natives, PTX kernels, CLI)
#   vrfm4j-bench.jar  the shaded JMH benchmarks (engine + JMH)
#   test-classes/   the library's compiled tests (CudaParityTest and friends; from target/test-classes)
#   lib/junit-platform-console-standalone-*.jar   to run the tests (fetched from Maven Central by Maven)
#   gpu-check.sh    the check itself; BUNDLE.txt says what was built from which commit
# Usage: bench/pack-gpu-bundle.sh [--no-build]     (--no-build: reuse target/vrfm4j*.jar and target/test-classes)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bundle="$root/target/gpu-bundle"
build=1
[ "${1:-}" = "--no-build" ] && build=0

if [ "$build" = 1 ]; then
  echo "[pack] mvn package (tests compiled, not run)"
  mvn -q -DskipTests package
fi
[ -f target/vrfm4j.jar ] || { echo "[pack] target/vrfm4j.jar missing (run without --no-build)" >&2; exit 1; }
[ -f target/vrfm4j-bench.jar ] || { echo "[pack] target/vrfm4j-bench.jar missing (run without --no-build)" >&2; exit 1; }
[ -d target/test-classes ] || { echo "[pack] target/test-classes missing (run without --no-build)" >&2; exit 1; }

rm -rf "$bundle" "$bundle.tar.gz"
mkdir -p "$bundle/lib"

# JUnit console launcher matching the pom's JUnit Jupiter 5.x.y (platform 1.x.y).
jupiter="$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml | head -1)"
platform="1.${jupiter#5.}"
echo "[pack] junit-platform-console-standalone $platform"
mvn -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
    -DoutputDirectory="$bundle/lib" -Dmdep.overWriteIfNewer=true
console="$(ls "$bundle"/lib/junit-platform-console-standalone-*.jar)"

# Java modules: what jdeps sees in the jars, plus the ones reached only reflectively (JMH, JCuda, plots).
base="java.base,java.logging,java.management,jdk.management,jdk.incubator.vector,jdk.unsupported,java.desktop,java.xml,java.naming,java.sql,java.compiler,jdk.crypto.ec"
seen="$(jdeps --multi-release 17 --ignore-missing-deps --print-module-deps target/vrfm4j.jar target/vrfm4j-bench.jar "$console" 2>/dev/null || true)"
mods="$(printf '%s,%s' "$base" "$seen" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)"
echo "[pack] jlink modules: $mods"
jlink --add-modules "$mods" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$bundle/runtime"

cp target/vrfm4j.jar target/vrfm4j-bench.jar "$bundle/"
cp -r target/test-classes "$bundle/test-classes"
cp bench/gpu-check.sh "$bundle/gpu-check.sh"
chmod +x "$bundle/gpu-check.sh"
{
  echo "vrfm4j GPU bundle"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
  echo "java runtime: $("$bundle/runtime/bin/java" -version 2>&1 | head -1)"
  echo "modules: $mods"
  echo "run: ./gpu-check.sh [results-dir]"
} > "$bundle/BUNDLE.txt"

# Smoke-test the bundle here: the runtime starts, the jar loads, the CUDA probe answers in one line.
"$bundle/runtime/bin/java" --add-modules jdk.incubator.vector -cp "$bundle/vrfm4j.jar" io.vrfm.backend.cuda.CudaInfo \
  > "$bundle/probe-at-build.txt" 2>&1 || true
echo "[pack] probe on the build machine: $(grep -m1 "^CUDA" "$bundle/probe-at-build.txt" || tail -1 "$bundle/probe-at-build.txt")"
"$bundle/runtime/bin/java" -jar "$console" --version > /dev/null 2>&1 \
  || "$bundle/runtime/bin/java" -jar "$console" --help > /dev/null 2>&1 \
  || { echo "[pack] the JUnit console does not start on the jlinked runtime" >&2; exit 1; }

tar -C "$root/target" -czf "$bundle.tar.gz" gpu-bundle
echo "[pack] $bundle ($(du -sh "$bundle" | cut -f1)), archive $bundle.tar.gz ($(du -sh "$bundle.tar.gz" | cut -f1))"
