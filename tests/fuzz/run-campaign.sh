#!/usr/bin/env bash
# Long fuzzing campaign (outside CI; docs/testing.md "Long campaign"): builds
# the `fuzz` preset, then runs each named target for MINUTES minutes per seed,
# for each seed in SEEDS, on a working copy of its committed corpus, and
# merges what grew the coverage back into tests/fuzz/corpus/<target>/
# (libFuzzer -merge=1: only inputs that add coverage are kept). Stops at the
# first finding and keeps the reproducer under build/fuzz/artifacts/.
#
#   tests/fuzz/run-campaign.sh                            # the consensus targets, defaults below
#   MINUTES=10 SEEDS="11 12 13" tests/fuzz/run-campaign.sh fuzz_replica
#   JOBS=2 tests/fuzz/run-campaign.sh                     # two targets at once (one per core)
#
# A finding is fixed in the code, then its input goes to
# tests/fuzz/regressions/<target>/ with a line in that folder's README.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
minutes=${MINUTES:-5}
seeds=${SEEDS:-"101 202"}
jobs=${JOBS:-1}
build=build/fuzz

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(fuzz_replica fuzz_messages fuzz_block)
fi

cmake --preset fuzz >/dev/null
ninja -C "$build" -j2 "${targets[@]}"
mkdir -p "$build/artifacts" "$build/campaign"

# One target: every seed in turn, then the merge. Prints one line per run.
run_target() {
  local t=$1 bin="$build/tests/fuzz/$1" work="$build/campaign/$1"
  mkdir -p "$work"
  cp -r "tests/fuzz/corpus/$t/." "$work/" 2>/dev/null || true
  for seed in $seeds; do
    local log="$build/campaign/$t-$seed.log"
    local start
    start=$(date +%s)
    if ! ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
         UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
         "$bin" -seed="$seed" -max_total_time=$((minutes * 60)) -timeout=25 -rss_limit_mb=2048 \
           -max_len=65536 -print_final_stats=1 -artifact_prefix="$root/$build/artifacts/$t-" \
           "$work" >"$log" 2>&1; then
      echo "campaign: $t seed $seed: FINDING after $(($(date +%s) - start)) s; log $log"
      grep -m3 -E 'INVARIANT|ERROR|SUMMARY' "$log" | sed 's/^/    /'
      return 1
    fi
    local execs cov
    execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    cov=$(grep -E '^#[0-9]+.*cov:' "$log" | tail -1 | sed -E 's/.*cov: ([0-9]+).*ft: ([0-9]+).*/cov \1 ft \2/')
    echo "campaign: $t seed $seed: ok, ${execs:-?} runs in $((minutes * 60)) s, ${cov:-?}"
  done
  local before after
  before=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
  "$bin" -merge=1 "tests/fuzz/corpus/$t" "$work" >"$build/campaign/$t-merge.log" 2>&1
  after=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
  echo "campaign: $t: corpus $before -> $after inputs"
}

start=$(date +%s)
status=0
if [ "$jobs" -gt 1 ]; then
  pids=()
  for t in "${targets[@]}"; do
    run_target "$t" &
    pids+=($!)
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 5; done
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
else
  for t in "${targets[@]}"; do run_target "$t" || { status=1; break; }; done
fi
echo "campaign: $(( ($(date +%s) - start) / 60 )) min in total, status $status"
exit $status
