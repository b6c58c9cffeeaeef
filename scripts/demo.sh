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
load_env
# The vault's master key for the demo, kept in .data (production supplies its own).
if [ ! -s "$DATA/vault.key" ]; then (umask 077; head -c 32 /dev/urandom | base64 > "$DATA/vault.key"); fi
export AIRLOCK_VAULT_KEY_FILE="$DATA/vault.key"
node scripts/demo.ts
