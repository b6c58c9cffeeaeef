#!/usr/bin/env bash
# AgentDojo injection bench: installs agentdojo 0.1.35 into a git-ignored venv
# (.cache/agentdojo/venv), renders every attack offline (no model is called) into
# .cache/agentdojo/rendered-2.jsonl (2: with user-task facts), then measures the sanitizer and the
# instruction finder on it (bench/injections.ts). RERENDER=1 renders again. From a fresh clone it
# first runs the bootstrap when no Node.js that runs TypeScript is on hand.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.cache/bin:$PATH"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null \
  || bash scripts/bootstrap.sh
DIR=.cache/agentdojo
VENV=$DIR/venv
mkdir -p "$DIR"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import agentdojo' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet agentdojo==0.1.35
fi
if [ ! -s "$DIR/rendered-2.jsonl" ] || [ "${RERENDER:-}" = 1 ]; then
  "$VENV/bin/python" bench/agentdojo-render.py "$DIR/rendered-2.jsonl"
fi
exec node bench/injections.ts "$DIR/rendered-2.jsonl" "$@"
