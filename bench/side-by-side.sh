#!/usr/bin/env bash
# Runs benchmarks on an earlier commit and on the working tree, alternating, in one run on one
# machine: how a structural change compares with what came before it. The earlier commit is checked
# out into a git-ignored worktree (.cache/side-by-side/<commit>) that shares this checkout's
# node_modules; both sides use the same running services (make up).
# Usage: bash bench/side-by-side.sh BASE_REF ROUNDS "bench/a.ts args" ["bench/b.ts args" ...]
set -euo pipefail
cd "$(dirname "$0")/.."
base_ref=${1:?base commit}
rounds=${2:?rounds}
shift 2
base=$(git rev-parse --short "$base_ref")
dir=.cache/side-by-side/$base
if [ ! -d "$dir/.git" ] && [ ! -f "$dir/.git" ]; then
  rm -rf "$dir"
  git worktree add --detach "$dir" "$base" >/dev/null
fi
ln -sfn "$PWD/node_modules" "$dir/node_modules"
ln -sfn "$PWD/.cache" "$dir/.cache"
mkdir -p "$dir/.data" && cp .data/env "$dir/.data/env"
head=$(git rev-parse --short HEAD)
for ((r = 1; r <= rounds; r++)); do
  # The order rotates each round, so neither side always runs on a warmer machine.
  sides=("$dir:$base" ".:$head")
  ((r % 2 == 0)) && sides=(".:$head" "$dir:$base")
  for side in "${sides[@]}"; do
    for b in "$@"; do
      echo "### round $r — ${side#*:} — node $b"
      # shellcheck disable=SC2086 # the bench's arguments are words
      (cd "${side%%:*}" && node $b)
      echo
    done
  done
done
