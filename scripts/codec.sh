#!/usr/bin/env bash
# The codec server (workers/codec.ts) that lets the Temporal UI show encrypted payloads in clear,
# on 127.0.0.1. Needs the payload key and AIRLOCK_CODEC_TOKEN in .data/env (scripts/up.sh writes
# both first). It also serves the UI under its own origin: the link it prints
# (/sign-in?token=…) signs a browser in and opens the UI there, payloads decoded.
# Usage: codec.sh up | down | status
. "$(dirname "$0")/lib.sh"

PORT="${AIRLOCK_CODEC_PORT:-8234}"
PID="$DATA/codec.pid"
LOG="$DATA/logs/codec.log"

running() { [ -f "$PID" ] && kill -0 "$(cat "$PID")" 2>/dev/null; }
healthy() { port_busy "$PORT"; }

case "${1:-status}" in
  up)
    ensure_writable "$DATA/logs"
    if running && healthy; then
      say "codec server: already running on 127.0.0.1:$PORT"
    else
      port_busy "$PORT" && die "port $PORT on 127.0.0.1 is already in use by another program" \
        "stop it (see: ss -ltnp 'sport = :$PORT') or set AIRLOCK_CODEC_PORT"
      load_env
      cd "$ROOT"
      AIRLOCK_CODEC_PORT="$PORT" setsid node workers/codec.ts >>"$LOG" 2>&1 < /dev/null &
      echo $! > "$PID"
      wait_for 20 healthy || die "the codec server did not start (see $LOG)" "read the log's last lines"
      say "codec server on 127.0.0.1:$PORT (the Temporal UI decrypts payloads through it)"
      say "  the Temporal UI, signed in, payloads decoded: http://127.0.0.1:$PORT/sign-in?token=${AIRLOCK_CODEC_TOKEN:-}"
    fi
    env_set AIRLOCK_CODEC_PORT "$PORT"
    ;;
  down)
    stop_pid "$PID" "the codec server"
    rm -f "$PID"
    ;;
  status)
    if running && healthy; then echo "codec: up (127.0.0.1:$PORT)"; else echo "codec: down"; fi
    ;;
  *) die "unknown command ${1}" "use up, down or status" ;;
esac
