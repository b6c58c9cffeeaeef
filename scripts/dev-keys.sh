#!/usr/bin/env bash
# The development keys `make up` makes once and keeps in .data (production supplies its own): the
# payload encryption key, the vault's master key, the decision signing key pair and the codec
# server's token, each recorded in .data/env so every documented command (the worker, the demo,
# `./airlock vault set`) finds them after either `make up` or `make demo`. Re-running changes nothing.
. "$(dirname "$0")/lib.sh"
ensure_writable "$DATA"
# new_key FILE: 32 random bytes, base64, owner-only; an existing key is kept.
new_key() {
  if [ ! -s "$1" ]; then (umask 077; head -c 32 /dev/urandom | base64 > "$1"); fi
  chmod 600 "$1"
}
new_key "$DATA/payload.key"
env_set AIRLOCK_PAYLOAD_KEY "$(cat "$DATA/payload.key")"
# The vault's master key. Inline, like the payload key: a process given its own AIRLOCK_VAULT_KEY
# (tests, a deployment) overrides it, where a key file set beside it would be refused as ambiguous.
new_key "$DATA/vault.key"
env_set AIRLOCK_VAULT_KEY "$(cat "$DATA/vault.key")"
node "$ROOT/scripts/gen-decision-keys.ts" "$DATA"
env_set AIRLOCK_DECISION_SIGNING_KEY "$(cat "$DATA/decision-signing.key")"
env_set AIRLOCK_DECISION_PUBLIC_KEYS "$(cat "$DATA/decision-public.key")"
# The codec server answers only callers holding this token; kept across runs so a browser that
# signed in stays signed in.
if ! grep -q '^AIRLOCK_CODEC_TOKEN=.' "$ENV_FILE"; then
  env_set AIRLOCK_CODEC_TOKEN "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
fi
