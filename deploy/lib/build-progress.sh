#!/usr/bin/env bash
# deploy/lib/build-progress.sh LOG COMMAND...: runs a build COMMAND with its
# whole output kept in LOG, and shows its progress from ninja's "[n/N]" lines:
# one line refreshed in place on a terminal, a line every 10% otherwise (CI
# logs). Exits with the COMMAND's status.
set -uo pipefail
log=$1
shift
: >"$log"
"$@" 2>&1 | tee "$log" | {
  shown=-1
  while IFS= read -r line; do
    [[ $line =~ ^\[([0-9]+)/([0-9]+)\] ]] || continue
    n=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
    pct=$((100 * n / total))
    if [[ -t 1 ]]; then
      printf '\r   building: [%d/%d] %3d%%' "$n" "$total" "$pct"
    elif ((pct / 10 > shown)); then
      shown=$((pct / 10))
      printf '   building: [%d/%d] %d%%\n' "$n" "$total" "$pct"
    fi
  done
  [[ -t 1 && $shown -ge -1 ]] && printf '\n'
}
exit "${PIPESTATUS[0]}"
