#!/usr/bin/env bash
# Brings up everything Airlock needs locally: Docker engine, sandbox image, Temporal dev server,
# the development keys (scripts/dev-keys.sh: payload, vault, decision signing, codec token;
# production supplies its own), and the codec server the Temporal UI decrypts payloads through.
# `up.sh production` also starts the production profile (scripts/production.sh:
# PostgreSQL, the Temporal server's four services with mutual TLS, the read-only Temporal UI).
. "$(dirname "$0")/lib.sh"
PROFILE="${1:-dev}"
case "$PROFILE" in dev | production) ;; *) die "unknown profile '$PROFILE'" "use PROFILE=dev or PROFILE=production" ;; esac
ensure_writable "$DATA"
bash "$ROOT/scripts/docker.sh" up
bash "$ROOT/scripts/sandbox-image.sh"
bash "$ROOT/scripts/temporal.sh" up
bash "$ROOT/scripts/dev-keys.sh"
bash "$ROOT/scripts/codec.sh" up
if [ "$PROFILE" = production ]; then
  bash "$ROOT/scripts/production.sh" up
  say "to run Airlock's processes against it: set -a; . $DATA/env; . $DATA/production/env; set +a"
fi
