#!/bin/sh
# The base image's entrypoint (copied to /app/entrypoint.sh by scripts/sandbox-image.sh): when the
# driver sets AIRLOCK_FORWARD_PORT it starts the loopback forwarder (/app/forward.js) and waits,
# bounded, until it listens; then it runs the image's command (the harness) in its place.
if [ -n "${AIRLOCK_FORWARD_PORT:-}" ]; then
  ready="${AIRLOCK_FORWARD_READY:-/tmp/.airlock-forward-ready}"
  rm -f "$ready"
  /usr/local/bin/node /app/forward.js &
  tries=0
  while [ ! -e "$ready" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ]; then
      echo '{"level":"error","msg":"the loopback forwarder did not start"}' >&2
      exit 1
    fi
    sleep 0.05
  done
fi
exec "$@"
