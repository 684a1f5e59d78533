#!/usr/bin/env bash
# The unit and sim labels under AddressSanitizer + UndefinedBehaviorSanitizer
# (the `debug` preset, build/debug): builds only those test binaries, then
# runs them. Any ASan/UBSan report fails the test that triggered it.
# Extra arguments go to ctest. CI (.ci/run) runs it after deploy/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake --preset debug >/dev/null
cmake --build --preset debug --target unit_and_sim_tests
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --preset debug -j2 --timeout 1800 -L 'unit|sim' "$@"
