#!/usr/bin/env bash
# posecheck: set up whatever is missing, then run the demo or the tests.
#
#   ./run.sh demo   analyse the bundled sample clips (reports, HTML pages, annotated videos in out/)
#   ./run.sh test   check formatting and lints, then run the whole test suite
#   ./run.sh setup  only set up
#
# Set-up is idempotent: Debian packages (OpenCV, clang, eSpeak NG; Chromium and Xvfb for the tests), ONNX
# Runtime's shared library unpacked from the PyPI CPU wheel into .ort/, and the release build.
set -euo pipefail
cd "$(dirname "$0")"

ORT_VERSION=1.31.1
ORT_LIB=".ort/onnxruntime/capi/libonnxruntime.so.$ORT_VERSION"
# espeak-ng: the voice of `posecheck routine` (a program run at run time, not linked).
BUILD_PACKAGES=(libopencv-dev clang libclang-dev pkg-config python3-pip espeak-ng)
TEST_PACKAGES=(chromium xvfb xauth)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "root rights are needed to run: $*"
  fi
}

# Installs the Debian packages that are not installed yet.
apt_ensure() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  command -v apt-get >/dev/null || die "please install: ${missing[*]} (no apt-get here)"
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ONNX Runtime's library from the official PyPI wheel, unpacked without a Python environment.
ort_ensure() {
  [ -f "$ORT_LIB" ] && return
  say "fetching ONNX Runtime $ORT_VERSION (PyPI wheel)"
  local dl
  dl=$(mktemp -d)
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$dl" "onnxruntime==$ORT_VERSION"
  rm -rf .ort
  python3 -m zipfile -e "$dl"/onnxruntime-"$ORT_VERSION"-*.whl .ort
  rm -rf "$dl"
  [ -f "$ORT_LIB" ] || die "the wheel did not contain $ORT_LIB"
}

# rustfmt and clippy, which the tests run; rustup's default profile has them, a minimal one not.
lint_tools_ensure() {
  cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1 && return
  command -v rustup >/dev/null || die "please install rustfmt and clippy for your Rust toolchain"
  say "installing rustfmt and clippy"
  rustup component add rustfmt clippy
}

setup() {
  command -v cargo >/dev/null || die "Rust is needed: install it from https://rustup.rs and run again"
  apt_ensure "${BUILD_PACKAGES[@]}"
  ort_ensure
  say "building (release)"
  cargo build --release --workspace --quiet
}

case "${1:-demo}" in
  setup)
    setup
    ;;
  demo)
    setup
    mkdir -p out
    say "analysing the sample clips in samples/"
    target/release/posecheck analyze samples/*.mp4 --out-dir out --html --output-video
    say "reports, HTML pages and annotated videos are in out/"
    ;;
  test)
    apt_ensure "${TEST_PACKAGES[@]}"
    lint_tools_ensure
    setup
    say "checking formatting and lints"
    cargo fmt --all -- --check
    cargo clippy --release --workspace --all-targets --quiet -- -D warnings
    say "running the tests"
    cargo test --release --workspace
    ;;
  *)
    die "usage: ./run.sh [demo|test|setup]"
    ;;
esac
