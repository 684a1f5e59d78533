#!/usr/bin/env bash
# The tsan label (the node's threaded unit tests: TxVerifier, PeerLink +
# PeerService over mutual TLS, HealthService, HttpServer + Metrics, the
# ExecutionDriver, BlockFetchWorker, EventBus, SubmissionTable, the
# KvStores) under ThreadSanitizer: the `tsan` preset (clang, build/tsan).
# Builds only those test binaries (target tsan_tests), then runs them with
# halt_on_error=1, so any report fails the test that triggered it.
# tests/tsan.supp suppresses reports inside the uninstrumented third-party
# libraries only. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang++ >/dev/null || { echo "test-tsan.sh: needs clang (apt-get install clang)" >&2; exit 2; }
cmake --preset tsan >/dev/null
deploy/lib/build-progress.sh build/tsan/build.log cmake --build --preset tsan --target tsan_tests ||
  { echo "test-tsan.sh: build failed; see build/tsan/build.log" >&2; exit 1; }
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp ${TSAN_OPTIONS:-}"
ctest --test-dir build/tsan --output-on-failure -j2 --timeout 900 -L tsan "$@"
