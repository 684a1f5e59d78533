#!/usr/bin/env bash
# Bounded fuzzing run (part of deploy/test.sh): configures and builds the
# `fuzz` preset (clang, libFuzzer + ASan + UBSan; only the fuzz targets and
# the pure libraries they link), then runs every target for FUZZ_SECONDS
# seconds (default 20) on a COPY of its seed corpus. Fails if any target
# crashes, leaks, hits UB or violates an invariant; the reproducer is kept
# under build/fuzz/artifacts/.
#
#   tests/fuzz/run-bounded.sh                 # all targets
#   FUZZ_SECONDS=300 tests/fuzz/run-bounded.sh fuzz_replica
#   FUZZ_SEED=0 tests/fuzz/run-bounded.sh    # libFuzzer picks a random seed
# The default seed is fixed (1) so that the test command explores the same
# inputs on every run: a CI failure is then a regression, not a new lottery win.
#
#   tests/fuzz/run-bounded.sh --build-only   # build the targets, run none
# Reproduce a finding: build/fuzz/tests/fuzz/<target> <artifact file>
# Targets = the directories under tests/fuzz/corpus/ (12 today, fuzz_convert the
# newest), run FUZZ_JOBS at a time (default: the number of cores), so the run
# takes about 12 x FUZZ_SECONDS / FUZZ_JOBS plus the build. The build holds
# build/fuzz.lock, so a build started earlier in the background (.ci/run) is
# waited for, not raced.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
seconds=${FUZZ_SECONDS:-20}
build=build/fuzz

jobs=${FUZZ_JOBS:-$(nproc)}
build_only=0
if [ "${1:-}" = "--build-only" ]; then build_only=1; shift; fi

start=$(date +%s)
mkdir -p build
(
  flock 9
  cmake --preset fuzz >/dev/null
  ninja -C "$build" -j"${FUZZ_BUILD_JOBS:-2}" fuzz_targets
) 9>build/fuzz.lock
built=$(date +%s)
echo "fuzz: built targets in $((built - start)) s"
[ "$build_only" = 1 ] && exit 0

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/licenced-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/artifacts"
# One target on a copy of its corpus; writes "ok" or "FAILED" to $work/$t.result.
run_one() {
  local t=$1 bin="$build/tests/fuzz/$1" log="$work/$1.log"
  mkdir -p "$work/$t"
  cp -r "tests/fuzz/corpus/$t/." "$work/$t/" 2>/dev/null || true
  if ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
     UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
     "$bin" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$root/$build/artifacts/$t-" "$work/$t" >"$log" 2>&1; then
    echo ok >"$work/$t.result"
  else
    echo FAILED >"$work/$t.result"
  fi
}

ran=()
for t in "${targets[@]}"; do
  if [ ! -x "$build/tests/fuzz/$t" ]; then
    echo "fuzz: $t: not built (skipped)"
    continue
  fi
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$t" &
  ran+=("$t")
done
wait

failed=()
for t in "${ran[@]}"; do
  if [ "$(cat "$work/$t.result" 2>/dev/null)" = ok ]; then
    execs=$(grep -m1 'stat::number_of_executed_units' "$work/$t.log" | awk '{print $2}')
    echo "fuzz: $t: ok (${execs:-?} runs in ${seconds} s)"
  else
    echo "fuzz: $t: FAILED; last lines of its log:"
    tail -n 40 "$work/$t.log" | sed 's/^/    /'
    failed+=("$t")
  fi
done
end=$(date +%s)
echo "fuzz: bounded run took $((end - start)) s in total"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED targets: ${failed[*]} (reproducers in $build/artifacts/)"
  exit 1
fi
