#!/usr/bin/env bash
# The Temporal dev server (SQLite file under .data, Web UI) on 127.0.0.1 with Airlock's search
# attributes registered at start. Usage: temporal.sh up | down | status
. "$(dirname "$0")/lib.sh"
. "$ROOT/scripts/temporal-lib.sh"

PORT="${AIRLOCK_TEMPORAL_PORT:-7233}"
UI_PORT="${AIRLOCK_TEMPORAL_UI_PORT:-8233}"
PID="$DATA/temporal.pid"
DB="$DATA/temporal.db"
LOG="$DATA/logs/temporal.log"
running() { [ -f "$PID" ] && kill -0 "$(cat "$PID")" 2>/dev/null; }
healthy() { temporal operator cluster health --address "127.0.0.1:$PORT" 2>/dev/null | grep -q SERVING; }

case "${1:-status}" in
  up)
    command -v temporal >/dev/null || die "the Temporal CLI is not installed" "run 'make bootstrap'"
    ensure_writable "$DATA/logs"
    if running && healthy; then
      say "temporal: already running on 127.0.0.1:$PORT"
    else
      for p in "$PORT" "$UI_PORT"; do
        port_busy "$p" && die "port $p on 127.0.0.1 is already in use by another program" \
          "stop it (see: ss -ltnp 'sport = :$p') or set AIRLOCK_TEMPORAL_PORT / AIRLOCK_TEMPORAL_UI_PORT"
      done
      args=(server start-dev --ip 127.0.0.1 --port "$PORT" --ui-port "$UI_PORT" --db-filename "$DB" --log-level warn
        --ui-codec-endpoint "http://127.0.0.1:${AIRLOCK_CODEC_PORT:-8234}")
      for a in "${ATTRS[@]}"; do args+=(--search-attribute "$a"); done
      for ns in "${NAMESPACES[@]}"; do [ "$ns" = default ] || args+=(--namespace "$ns"); done
      say "starting the Temporal dev server on 127.0.0.1:$PORT (UI http://127.0.0.1:$UI_PORT)"
      setsid temporal "${args[@]}" >>"$LOG" 2>&1 < /dev/null &
      echo $! > "$PID"
      wait_for 30 healthy || die "the Temporal dev server did not become healthy (see $LOG)" "read the log's last lines"
    fi
    ensure_search_attributes --address "127.0.0.1:$PORT"
    env_set TEMPORAL_ADDRESS "127.0.0.1:$PORT"
    env_set TEMPORAL_UI_URL "http://127.0.0.1:$UI_PORT"
    ;;
  down)
    stop_pid "$PID" "the Temporal dev server"
    rm -f "$PID"
    ;;
  status)
    if running && healthy; then echo "temporal: up (127.0.0.1:$PORT, UI http://127.0.0.1:$UI_PORT)"; else echo "temporal: down"; fi
    ;;
  *) die "unknown command ${1}" "use up, down or status" ;;
esac
