#!/usr/bin/env bash
# Installs the Debian 12 packages licenced needs to build, test and run.
# Idempotent and non-interactive: runs `apt-get update` only when a package
# is missing, and does nothing at all when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git clang-format
  clang libclang-rt-14-dev
  libboost1.81-dev libboost-system1.81-dev
  librocksdb-dev libsodium-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  catch2 libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libqrencode-dev
  openssl iproute2 python3 python3-grpcio
  # e2e adversarial tests: generic gRPC stubs, Ed25519 signing, lossy links
  python3-protobuf python3-cryptography nftables
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
