#!/usr/bin/env bash
# The unit and sim labels under AddressSanitizer + UndefinedBehaviorSanitizer,
# in the `asan` preset (build/asan; optimized, so the simulator's tests take
# minutes, not the better part of an hour). Builds only those test binaries
# (target unit_and_sim_tests), then runs them; any ASan/UBSan report fails the
# test that triggered it.
#
#   deploy/test-sanitizers.sh               # build, then test
#   deploy/test-sanitizers.sh --build-only  # CI starts the build early, beside the other tests
#   deploy/test-sanitizers.sh --test-only   # ... and runs the tests at the end
# Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
build=1 test=1
case "${1:-}" in
  --build-only) test=0; shift ;;
  --test-only) build=0; shift ;;
esac
if [[ $build == 1 ]]; then
  deploy/install-deps.sh
  cmake --preset asan >/dev/null
  cmake --build --preset asan --target unit_and_sim_tests
fi
if [[ $test == 1 ]]; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  ctest --preset asan -j2 --timeout 1800 -L 'unit|sim' "$@"
fi
