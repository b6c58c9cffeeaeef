#!/usr/bin/env bash
# `make demo`: brings the stack up (Docker, sandbox image, Temporal with its UI), then runs
# scripts/demo.ts (refunds API, vault, Agents Playground, webhook server, worker, the refund
# request). Ctrl-C stops everything it started. AIRLOCK_DEMO_ONESHOT=1 approves and exits.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
note_services
cleanup() {
  trap - EXIT INT TERM
  say "stopping what the demo started"
  stop_started_services
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/up.sh
# up.sh made the development keys (the vault's master key among them) and recorded them in .data/env.
load_env
node scripts/demo.ts
