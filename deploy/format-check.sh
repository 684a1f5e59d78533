#!/usr/bin/env bash
# deploy/format-check.sh: fails (exit 1) if any tracked C++ file differs from
# what clang-format (.clang-format in the repository root) makes of it, and
# names each one. `clang-format -i FILE` fixes a file. Part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format-check: clang-format is not installed (deploy/install-deps.sh)" >&2; exit 2; }
bad=()
while IFS= read -r f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.cc' '*.h')
if [ "${#bad[@]}" -gt 0 ]; then
  echo "format-check: ${#bad[@]} file(s) not formatted (run clang-format -i on them):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "format-check: $(git ls-files '*.cc' '*.h' | wc -l) C++ files formatted"
