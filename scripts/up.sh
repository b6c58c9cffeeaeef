#!/usr/bin/env bash
# Brings up everything Airlock needs locally: Docker engine, sandbox image, Temporal dev server,
# a payload encryption key for development (production supplies its own), and the codec server
# the Temporal UI decrypts payloads through.
. "$(dirname "$0")/lib.sh"
ensure_writable "$DATA"
bash "$ROOT/scripts/docker.sh" up
bash "$ROOT/scripts/sandbox-image.sh"
bash "$ROOT/scripts/temporal.sh" up
if [ ! -s "$DATA/payload.key" ]; then
  (umask 077; head -c 32 /dev/urandom | base64 > "$DATA/payload.key")
fi
chmod 600 "$DATA/payload.key"
env_set AIRLOCK_PAYLOAD_KEY "$(cat "$DATA/payload.key")"
bash "$ROOT/scripts/codec.sh" up
