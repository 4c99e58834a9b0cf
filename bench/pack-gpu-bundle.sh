#!/usr/bin/env bash
# Builds target/gpu-bundle.tar.gz (< 60 MiB): everything bench/gpu-check.sh needs on a GPU host that has only the
# NVIDIA driver and (maybe) CUDA libraries -- no JDK, no Maven, no network:
#   runtime/     a Java runtime jlinked from the Temurin 25 JDK (needs glibc >= 2.17; carries its own freetype)
#   lib/         the classes of the three modules (docs/ARCHITECTURE.md, "Modules and packaging"), each as a plain
#                jar, and the runtime dependency jars of all three, once each:
#                  vrfm4j-classes.jar           the library (target/classes; Multi-Release, so the Java 25 runtime
#                                               uses the Java 22 layer in META-INF/versions/22)
#                  vrfm4j-launcher-classes.jar  io.vrfm.cli (target/launcher/classes): `info`, `reproduce`
#                  vrfm4j-bench-classes.jar     the JMH benchmarks (target/bench/classes, with META-INF/BenchmarkList)
#                  picocli, xchart (launcher), jmh-core, jopt-simple, commons-math3 (bench), jcuda*, jackson, ejml
#                the shaded target/vrfm4j.jar and target/vrfm4j-bench.jar are NOT used: each repeats the engine and
#                all JCuda natives. The JCuda natives jars keep only the three libraries the engine loads
#                (JCudaDriver, JCublas2, JCudnn; linux-x86_64)
#   test/        the compiled library tests (CudaParityTest and friends) and the JUnit console launcher
#   gpu-check.sh the check itself; BUNDLE.txt says what was built from which commit; bundle.env its settings
#
# Usage: bench/pack-gpu-bundle.sh [--no-build]   (--no-build: reuse the compiled classes of the three modules; Maven
#        still runs `compile` -- a no-op when up to date -- so that the reactor resolves the library for the others)
# Environment: VRFM_BUNDLE_JDK (default /usr/lib/jvm/temurin-25-jdk-amd64), MVN (default mvn).
# Needs Maven Central once (the JUnit console jar); everything else comes from the local Maven repository.
#
# Running it on the lent GPU machine, in one call (the bundle travels as a carried, git-ignored file; only $OUT
# comes back, at most 8 files -- gpu-check.sh writes exactly those):
#   1. in the checkout that the call sends:   bench/pack-gpu-bundle.sh
#   2. run  command:  bash bench/gpu-run.sh
#           carry:    ["target/gpu-bundle.tar.gz"]
#           timeout_s: 540   (gpu-check.sh stops itself after 450 s; unpacking takes seconds)
#   $OUT/summary.txt then holds one line per step; see bench/gpu-run.sh for the other files.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
JDK="${VRFM_BUNDLE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
MVN="${MVN:-mvn}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
MAX_BYTES=$((60 * 1024 * 1024))
bundle="$root/target/gpu-bundle"
archive="$root/target/gpu-bundle.tar.gz"
build=1
[ "${1:-}" = "--no-build" ] && build=0
[ -x "$JDK/bin/jlink" ] || { echo "[pack] no JDK at $JDK (set VRFM_BUNDLE_JDK to a JDK 22+ whose runtime needs an old glibc, e.g. Temurin 25)" >&2; exit 1; }

# Maven offline first (the build machine's repository has everything but the console jar), online if that fails.
mvn_() { "$MVN" -q -o "$@" > /dev/null 2>&1 || "$MVN" -q "$@"; }

# One reactor build: the three modules' classes and tests, then the runtime dependencies of every module copied
# into lib/ (the library itself excluded: it goes in as vrfm4j-classes.jar). copy-dependencies needs the reactor
# to resolve io.vrfm:vrfm4j for the launcher and the benchmarks, hence a lifecycle phase in the same invocation.
phase=compile
[ "$build" = 1 ] && phase=test-compile
rm -rf "$bundle" "$archive"
mkdir -p "$bundle/lib" "$bundle/test"
echo "[pack] mvn $phase (tests compiled, not run) + runtime dependency jars of every module"
mvn_ -DskipTests "$phase" "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DexcludeGroupIds=io.vrfm \
    -DoutputDirectory="$bundle/lib"
for d in target/classes target/test-classes target/launcher/classes target/bench/classes; do
  [ -d "$d" ] || { echo "[pack] $d missing (run without --no-build)" >&2; exit 1; }
done
for need in target/launcher/classes/io/vrfm/cli/Main.class target/bench/classes/io/vrfm/bench/CudaBenchMain.class \
            target/bench/classes/META-INF/BenchmarkList; do
  [ -f "$need" ] || { echo "[pack] $need missing (run without --no-build)" >&2; exit 1; }
done

# Multi-Release: classes under META-INF/versions/N (a Java 22+ part, say) are then used by the Java 25 runtime.
printf 'Multi-Release: true\n' > "$bundle/MANIFEST.tmp"
"$JDK/bin/jar" --create --file "$bundle/lib/vrfm4j-classes.jar" --manifest "$bundle/MANIFEST.tmp" -C target/classes .
rm -f "$bundle/MANIFEST.tmp"
"$JDK/bin/jar" --create --file "$bundle/lib/vrfm4j-launcher-classes.jar" -C target/launcher/classes .
"$JDK/bin/jar" --create --file "$bundle/lib/vrfm4j-bench-classes.jar" -C target/bench/classes .

# JCuda natives: keep the libraries the engine loads, drop the rest (the PTX compiler alone is 24 MB).
keep='/lib(JCudaDriver|JCublas2|JCudnn)-[0-9.]+-linux-x86_64\.so$'
for j in "$bundle"/lib/*natives*.jar; do
  [ -f "$j" ] || continue
  drop="$(unzip -Z1 "$j" | grep -E '\.(so|dll|dylib|jnilib)$' | grep -vE "$keep" || true)"
  if [ -n "$drop" ]; then
    # shellcheck disable=SC2086
    zip -q -d "$j" $drop
    echo "[pack] $(basename "$j"): dropped $(echo "$drop" | xargs -n1 basename | paste -sd' ' -)"
  fi
done

# JUnit console launcher matching the pom's JUnit Jupiter 5.x.y (platform 1.x.y).
jupiter="$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml | head -1)"
platform="1.${jupiter#5.}"
echo "[pack] junit-platform-console-standalone $platform"
mvn_ "$DEP_PLUGIN:copy" -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
    -DoutputDirectory="$bundle/test"
cp -r target/test-classes "$bundle/test/classes"

# Java modules: what jdeps sees, plus the ones reached only reflectively (JMH, JCuda, plots).
base="java.base,java.logging,java.management,jdk.management,jdk.incubator.vector,jdk.unsupported,java.desktop,java.xml"
seen="$("$JDK/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps \
        "$bundle"/lib/*.jar "$bundle"/test/junit-platform-console-standalone-*.jar 2>/dev/null || true)"
mods="$(printf '%s,%s' "$base" "$seen" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)"
echo "[pack] jlink ($("$JDK/bin/java" -version 2>&1 | head -1)) modules: $mods"
# No jlink compression: the tar's gzip compresses the uncompressed module image better than zip-in-gzip.
"$JDK/bin/jlink" --add-modules "$mods" --strip-debug --no-man-pages --no-header-files --compress=zip-0 \
    --output "$bundle/runtime"
rm -rf "$bundle/runtime/legal"   # licence texts of the JDK modules; the JDK install keeps them

main="$(sed -n 's:.*<mainClass>\(.*\)</mainClass>.*:\1:p' src/launcher/pom.xml | head -1)"
[ -n "$main" ] && [ -f "target/launcher/classes/${main//.//}.class" ] \
  || { echo "[pack] no launcher main class (src/launcher/pom.xml <mainClass>: '$main')" >&2; exit 1; }
cp bench/gpu-check.sh "$bundle/gpu-check.sh"
chmod +x "$bundle/gpu-check.sh"
{
  echo "MAIN_CLASS=$main"
  echo "JUNIT_PLATFORM=$platform"
} > "$bundle/bundle.env"
{
  echo "vrfm4j GPU bundle"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "java runtime: $("$bundle/runtime/bin/java" -version 2>&1 | sed -n 2p)"
  echo "modules: $mods"
  echo "lib: $(cd "$bundle/lib" && ls | paste -sd' ' -)"
} > "$bundle/BUNDLE.txt"

# Smoke-test the bundle here: the runtime starts, the classes load, the CUDA probe answers in one line.
"$bundle/runtime/bin/java" --add-modules jdk.incubator.vector -cp "$bundle/lib/*" io.vrfm.backend.cuda.CudaInfo \
  > "$bundle/probe-at-build.txt" 2>&1 || true
echo "[pack] probe on the build machine: $(grep -m1 '^CUDA' "$bundle/probe-at-build.txt" || tail -1 "$bundle/probe-at-build.txt")"
# the launcher and the benchmarks load from lib/ (their classes and dependencies are separate jars now)
"$bundle/runtime/bin/java" --add-modules jdk.incubator.vector -cp "$bundle/lib/*" "$main" --help > "$bundle/launcher-at-build.txt" 2>&1 \
  || { echo "[pack] the launcher ($main --help) does not start from lib/:" >&2; tail -5 "$bundle/launcher-at-build.txt" >&2; exit 1; }
rm -f "$bundle/launcher-at-build.txt"
"$bundle/runtime/bin/java" --add-modules jdk.incubator.vector -cp "$bundle/lib/*" org.openjdk.jmh.Main -l 2>&1 \
  | grep -q 'io.vrfm.bench.VrfmStepBench' || { echo "[pack] JMH does not list io.vrfm.bench.VrfmStepBench from lib/" >&2; exit 1; }
console="$(ls "$bundle"/test/junit-platform-console-standalone-*.jar)"
"$bundle/runtime/bin/java" -jar "$console" --version > /dev/null 2>&1 \
  || "$bundle/runtime/bin/java" -jar "$console" --help > /dev/null 2>&1 \
  || { echo "[pack] the JUnit console does not start on the jlinked runtime" >&2; exit 1; }

tar -C "$root/target" -cf - gpu-bundle | gzip -9 > "$archive"
size=$(wc -c < "$archive")
echo "[pack] $archive: $((size / 1024 / 1024)) MiB packed ($size bytes; $(du -sh "$bundle" | cut -f1) unpacked)"
if [ "$size" -ge "$MAX_BYTES" ]; then
  echo "[pack] the packed bundle is over 60 MiB: it would not fit the 64 MiB carried to the GPU machine" >&2
  exit 1
fi
