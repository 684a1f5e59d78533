#!/usr/bin/env bash
# The README's test command: installs missing Debian packages, builds the
# release preset and runs the whole test suite (labels unit, sim, e2e, fuzz),
# then a bounded fuzzing run (tests/fuzz/run-bounded.sh; LICENCED_SKIP_FUZZ=1 skips it).
# Extra arguments go to ctest, e.g. `deploy/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -j2 --timeout 900 "$@"
# Bounded libFuzzer run of every fuzz target (clang; about 20 s per target plus
# the build of the fuzz preset; docs/testing.md). LICENCED_SKIP_FUZZ=1 skips it,
# FUZZ_SECONDS changes the time per target.
if [ "${LICENCED_SKIP_FUZZ:-0}" != "1" ]; then
  tests/fuzz/run-bounded.sh
fi
