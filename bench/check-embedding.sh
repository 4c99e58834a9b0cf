#!/usr/bin/env bash
# check-embedding.sh - the library as an embedding application sees it: `mvn install`, then a separate tiny Maven
# project (bench/embedding/) that depends only on io.vrfm:vrfm4j builds and runs the README's "Use it from Java"
# program (the ```java block holding `public class Rings`, extracted as it stands) against it, from a clean local
# repository. Fails if the application's classpath holds a CLI, plot or benchmark library (picocli,
# XChart, JMH) or if the example does not run.
# Usage: bench/check-embedding.sh            a fresh, empty local repository (needs Maven Central)
#        OFFLINE=1 bench/check-embedding.sh  a fresh copy of ~/.m2/repository without io/vrfm (no network)
# Environment: KEEP=1 keeps the temporary folder (printed at the start).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
repo="$work/repository"
mvn_flags=(-B -ntp -q "-Dmaven.repo.local=$repo")
if [ -n "${OFFLINE:-}" ]; then
  echo "[embed] seeding $repo from ~/.m2/repository (io/vrfm left out), offline"
  mkdir -p "$repo"
  (cd "$HOME/.m2/repository" && find . -mindepth 1 -maxdepth 1 -exec cp -r {} "$repo/" \;)
  rm -rf "$repo/io/vrfm"
  mvn_flags+=(-o)
else
  echo "[embed] empty local repository $repo (dependencies from Maven Central)"
fi

echo "[embed] mvn install (tests skipped) into it"
(cd "$root" && mvn "${mvn_flags[@]}" install -DskipTests)

app="$work/app"
cp -r "$root/bench/embedding" "$app"
mkdir -p "$app/src/main/java"
awk '/^```java$/ {f = 1; buf = ""; next}
     /^```$/ {if (f && buf ~ /public class Rings/) {printf "%s", buf; found = 1; exit} f = 0; next}
     f {buf = buf $0 "\n"}
     END {exit found ? 0 : 1}' "$root/README.md" > "$app/src/main/java/Rings.java" \
  || { echo "[embed] FAIL: README.md has no \`\`\`java block with 'public class Rings'" >&2; exit 1; }
version="$(cd "$root" && sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -1)"
sed -i "s:@VRFM4J_VERSION@:$version:" "$app/pom.xml"

echo "[embed] the application's dependency tree:"
(cd "$app" && mvn "${mvn_flags[@]}" dependency:tree -DoutputFile="$work/tree.txt" && sed 's/^/    /' "$work/tree.txt")
if grep -Eiq 'picocli|xchart|jmh' "$work/tree.txt"; then
  echo "[embed] FAIL: a CLI, plot or benchmark library leaks into the application's dependencies" >&2
  exit 1
fi

echo "[embed] build and run the example"
(cd "$app" && mvn "${mvn_flags[@]}" package dependency:build-classpath -Dmdep.outputFile="$work/cp.txt")
mkdir -p "$work/out"
java --add-modules jdk.incubator.vector -cp "$app/target/classes:$(cat "$work/cp.txt")" Rings 300 \
  "$work/out/rings-samples.safetensors" 2>&1 | grep -v 'WARNING: Using incubator modules' | tee "$work/run.txt"
[ "${PIPESTATUS[0]}" = 0 ] || { echo "[embed] FAIL: the README example exited non-zero" >&2; exit 1; }
[ -s "$work/out/rings-samples.safetensors" ] || { echo "[embed] FAIL: no rings-samples.safetensors written" >&2; exit 1; }
echo "[embed] PASS: io.vrfm:vrfm4j:$version embeds (no picocli/XChart/JMH on the application's classpath)"
