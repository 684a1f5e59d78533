#!/usr/bin/env bash
# The README's test command: installs missing Debian packages, builds the
# release preset and runs the whole test suite (labels unit, sim, e2e, fuzz).
# Extra arguments go to ctest, e.g. `deploy/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -j2 --timeout 900 "$@"
