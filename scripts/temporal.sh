#!/usr/bin/env bash
# The Temporal dev server (SQLite file under .data, Web UI) on 127.0.0.1 with Airlock's search
# attributes registered at start. Usage: temporal.sh up | down | status
. "$(dirname "$0")/lib.sh"

PORT="${AIRLOCK_TEMPORAL_PORT:-7233}"
UI_PORT="${AIRLOCK_TEMPORAL_UI_PORT:-8233}"
PID="$DATA/temporal.pid"
DB="$DATA/temporal.db"
LOG="$DATA/logs/temporal.log"
# Search attributes the workflows set (workflows/*/search.ts; SQL visibility allows 10 Keyword
# attributes), and the namespaces they are registered in: `default` for the operator's runs and
# `airlock-test` for `make test`, so test runs never crowd the operator's view in the UI.
ATTRS=(AgentId=Keyword Capability=Keyword ActionKind=Keyword ApprovalState=Keyword Approver=Keyword
  PolicyRule=Keyword ApproverKeys=KeywordList SessionState=Keyword AgentLastActivity=Datetime
  FromAgent=Keyword ToAgent=Keyword ExchangeState=Keyword)
NAMESPACES=(default airlock-test)

running() { [ -f "$PID" ] && kill -0 "$(cat "$PID")" 2>/dev/null; }
healthy() { temporal operator cluster health --address "127.0.0.1:$PORT" 2>/dev/null | grep -q SERVING; }

# Register every search attribute in every namespace; a server started by an older checkout gets
# the ones it lacks. Registering one that exists is a no-op.
ensure_search_attributes() {
  local ns a have
  for ns in "${NAMESPACES[@]}"; do
    temporal operator namespace describe --address "127.0.0.1:$PORT" -n "$ns" >/dev/null 2>&1 \
      || temporal operator namespace create --address "127.0.0.1:$PORT" -n "$ns" >/dev/null 2>&1 || true
    have=$(temporal operator search-attribute list --address "127.0.0.1:$PORT" -n "$ns" 2>/dev/null || true)
    for a in "${ATTRS[@]}"; do
      grep -qw "${a%%=*}" <<<"$have" && continue
      # A namespace created a moment ago takes a few seconds to be usable.
      wait_for 30 temporal operator search-attribute create --address "127.0.0.1:$PORT" -n "$ns" \
        --name "${a%%=*}" --type "${a#*=}" \
        || die "could not register search attribute ${a%%=*} in namespace $ns" "read $LOG, or run 'make down && make up'"
    done
  done
}

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
    ensure_search_attributes
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
