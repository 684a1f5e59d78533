#!/usr/bin/env bash
# The unit and sim labels under AddressSanitizer + UndefinedBehaviorSanitizer.
# They are built in the `fuzz` preset (clang 14, build/fuzz: ASan + UBSan on
# every target, libFuzzer coverage on the pure libraries), so that one
# instrumented build serves both this run and the bounded fuzzing run
# (tests/fuzz/run-bounded.sh): two separate sanitizer trees cost CI a second
# cold build of every library. Builds the unit and sim binaries (target
# unit_and_sim_tests) and the fuzz targets, holding build/fuzz.lock as
# run-bounded.sh does, then runs the tests; any ASan/UBSan report fails the
# test that triggered it. (The gcc `asan` preset still works by hand:
# cmake --preset asan && cmake --build --preset asan --target unit_and_sim_tests
# && ctest --preset asan -L 'unit|sim'.)
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
  mkdir -p build
  (
    flock 9
    cmake --preset fuzz >/dev/null
    ninja -C build/fuzz -j"${SANITIZER_BUILD_JOBS:-2}" unit_and_sim_tests fuzz_targets
  ) 9>build/fuzz.lock
fi
if [[ $test == 1 ]]; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  # The simulator's seed ranges, a quarter of each here (tests/sim/sim_test.cc:
  # a seed costs 5-7x the release build's under ASan + coverage; the release
  # run covers every seed).
  export LICENCED_SIM_SEED_FRACTION="${LICENCED_SIM_SEED_FRACTION:-4}"
  ctest --preset fuzz -j2 --timeout 1800 -L 'unit|sim' "$@"
fi
