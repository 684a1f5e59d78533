#!/usr/bin/env bash
# deploy/bench.sh: run the performance benchmark (docs/performance.md).
#
# Usage: deploy/bench.sh [BUILD_DIR] [-- licencectl bench options...]
#   BUILD_DIR defaults to $LICENCED_BIN_DIR or REPO/build/release; it must hold
#   cli/licencectl and node/licenced (RelWithDebInfo or Release).
# Writes the JSON to stdout and a copy to BUILD_DIR/bench-<UTC time>.json.
# Example: deploy/bench.sh build/release -- --duration 30 --null
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LICENCED_BIN_DIR:-$REPO/build/release}"
if [[ $# -gt 0 && "$1" != "--" ]]; then BUILD="$1"; shift; fi
[[ "${1:-}" == "--" ]] && shift
CTL="$BUILD/cli/licencectl"
[[ -x "$CTL" ]] || { echo "bench.sh: no $CTL; build it (cmake --build --preset release)" >&2; exit 2; }
[[ -x "$BUILD/node/licenced" ]] || { echo "bench.sh: no $BUILD/node/licenced" >&2; exit 2; }
echo "bench.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (figures taken under load are not representative)" >&2
OUT="$BUILD/bench-$(date -u +%Y%m%dT%H%M%SZ).json"
LICENCED_BIN_DIR="$BUILD" "$CTL" bench "$@" | tee "$OUT"
echo "bench.sh: JSON saved to $OUT" >&2
