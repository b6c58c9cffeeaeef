#!/usr/bin/env bash
# Runs every benchmark and prints their markdown; copy the tables into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/sandbox.ts bench/worker-start.ts bench/approval-latency.ts bench/grants-saved.ts bench/webhook-ack.ts bench/policy.ts bench/policy-analyze.ts bench/sanitize.ts bench/sanitize-growth.ts bench/vault.ts bench/mcp-call.ts bench/mcp-allowed.ts bench/fetch-pinned.ts bench/model-proxy.ts bench/agent-turn.ts bench/agent-cold.ts bench/exchange.ts bench/unusual-history.ts; do
  [ -f "$b" ] && { node "$b"; echo; }
done
# Twenty sandboxes at once: last, and with a collector the bench can call between measurements.
node --expose-gc bench/agent-scale.ts 20 5
# A turn on the local models (downloads them into .cache the first time): last, it loads the CPU.
node bench/local-model.ts 3 small,large
