#!/usr/bin/env bash
# Brings up everything Airlock needs locally: Docker engine, sandbox image, Temporal dev server,
# a payload encryption key and a decision signing key pair for development (production supplies
# its own), and the codec server the Temporal UI decrypts payloads through (with the token it
# requires). `up.sh production` also starts the production profile (scripts/production.sh:
# PostgreSQL, the Temporal server's four services with mutual TLS, the read-only Temporal UI).
. "$(dirname "$0")/lib.sh"
PROFILE="${1:-dev}"
case "$PROFILE" in dev | production) ;; *) die "unknown profile '$PROFILE'" "use PROFILE=dev or PROFILE=production" ;; esac
ensure_writable "$DATA"
bash "$ROOT/scripts/docker.sh" up
bash "$ROOT/scripts/sandbox-image.sh"
bash "$ROOT/scripts/temporal.sh" up
if [ ! -s "$DATA/payload.key" ]; then
  (umask 077; head -c 32 /dev/urandom | base64 > "$DATA/payload.key")
fi
chmod 600 "$DATA/payload.key"
env_set AIRLOCK_PAYLOAD_KEY "$(cat "$DATA/payload.key")"
node "$ROOT/scripts/gen-decision-keys.ts" "$DATA"
env_set AIRLOCK_DECISION_SIGNING_KEY "$(cat "$DATA/decision-signing.key")"
env_set AIRLOCK_DECISION_PUBLIC_KEYS "$(cat "$DATA/decision-public.key")"
# The codec server answers only callers holding this token; kept across runs so a browser that
# signed in stays signed in.
if ! grep -q '^AIRLOCK_CODEC_TOKEN=.' "$ENV_FILE"; then
  env_set AIRLOCK_CODEC_TOKEN "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
fi
bash "$ROOT/scripts/codec.sh" up
if [ "$PROFILE" = production ]; then
  bash "$ROOT/scripts/production.sh" up
  say "to run Airlock's processes against it: set -a; . $DATA/env; . $DATA/production/env; set +a"
fi
