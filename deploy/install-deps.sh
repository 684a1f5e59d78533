#!/usr/bin/env bash
# Installs the Debian 12 packages licenced needs to build, test and run, and
# the npm packages of its credential tests (pinned by their lock files).
# Idempotent and non-interactive: runs `apt-get update` only when a package
# is missing, and does nothing at all when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git clang-format
  clang libclang-rt-14-dev
  libboost1.81-dev libboost-system1.81-dev
  librocksdb-dev libsodium-dev libssl-dev libjemalloc-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  catch2 libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libqrencode-dev
  openssl iproute2 python3 python3-grpcio
  # e2e adversarial tests: generic gRPC stubs, Ed25519 signing, lossy links
  python3-protobuf python3-cryptography nftables
  # the verification page's browser test (tests/web): Debian's Chromium, headless,
  # and the qrencode CLI that makes the QR codes its camera-scanning tests decode
  chromium qrencode
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the credential interop test (tests/interop); a machine that
# already has Node 20 or newer keeps it, others get Debian's nodejs and npm.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -ne 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The npm packages of the tests, exactly as each package-lock.json pins them
# (`npm ci`, from the npm registry; nothing is fetched when the tests run).
# Skipped when node_modules already matches the lock file.
repo="$(cd "$(dirname "$0")/.." && pwd)"
for dir in tests/interop tests/web; do
  lock="$repo/$dir/package-lock.json"
  installed="$repo/$dir/node_modules/.package-lock.json"
  if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
    echo "install-deps: npm ci in $dir" >&2
    (cd "$repo/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
