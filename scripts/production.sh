#!/usr/bin/env bash
# The production profile, on this machine: a PostgreSQL cluster of the project's own, the Temporal
# server v1.31.2 built from source as four processes (history, matching, frontend, worker) on that
# database with mutual TLS and Airlock's per-role authorizer (deploy/temporal/server/: the stock
# server's main with a claim mapper and authorizer; each client certificate gets only its role's
# calls), and the Temporal UI server v2.54.1 (read-only) pointed at the frontend. All on 127.0.0.1.
# Settings for Airlock's processes, one certificate per role, go to .data/production/env.
# AIRLOCK_PROD_PORT_OFFSET moves every port (a second stack beside the first, with its own
# AIRLOCK_DATA_DIR).
# Usage: production.sh up | down | purge | status | start SERVICE | kill SERVICE   (SERVICE: a Temporal
# service, `ui` or `postgres`; `kill` is SIGKILL, for failure tests)
. "$(dirname "$0")/lib.sh"
. "$ROOT/scripts/temporal-lib.sh"

SERVER_VERSION=1.31.2
UI_VERSION=2.54.1
SERVER_DIR="$CACHE/temporal-server-$SERVER_VERSION"
UI_DIR="$CACHE/temporal-ui-server-$UI_VERSION"
PROD="$DATA/production"
# The cluster lives in .data/production/pg. PostgreSQL runs as the postgres user (initdb refuses
# root), which cannot reach into a checkout under a private folder (a mktemp -d clone, mode 0700):
# then the cluster lives in /var/lib/airlock/<hash of this data folder>/pg, linked from .data.
PG_LINKED="/var/lib/airlock/$(printf '%s' "$PROD" | sha256sum | cut -c1-10)/pg"
if [ -L "$PROD/pg" ]; then PG_DIR="$(readlink -f "$PROD/pg")"; else PG_DIR="$PROD/pg"; fi
CERTS="$PROD/certs"
PIDS="$PROD/pids"
LOGS="$DATA/logs"
PROD_ENV="$PROD/env"
OFF="${AIRLOCK_PROD_PORT_OFFSET:-0}"
PG_PORT="${AIRLOCK_PROD_PG_PORT:-$((5433 + OFF))}"
FRONTEND_PORT="${AIRLOCK_PROD_TEMPORAL_PORT:-$((7333 + OFF))}"
UI_PORT="${AIRLOCK_PROD_UI_PORT:-$((8333 + OFF))}"
SERVICES=(history matching frontend worker)
# Each Temporal service exposes Prometheus metrics on a port of its own.
declare -A METRICS_PORT=([history]=$((9334 + OFF)) [matching]=$((9335 + OFF)) [frontend]=$((9333 + OFF)) [worker]=$((9339 + OFF)))
declare -A GRPC_PORT=([history]=$((7334 + OFF)) [matching]=$((7335 + OFF)) [frontend]="$FRONTEND_PORT" [worker]=$((7339 + OFF)))
declare -A MEMBERSHIP_PORT=([history]=$((6334 + OFF)) [matching]=$((6335 + OFF)) [frontend]=$((6333 + OFF)) [worker]=$((6339 + OFF)))
# Airlock's server (deploy/temporal/server/), built into a folder named by a hash of its source:
# a changed authorizer is a new binary, and `up` restarts services still running an older one.
AUTHZ_SRC="$ROOT/deploy/temporal/server"
AUTHZ_HASH=$(cd "$AUTHZ_SRC" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
AUTHZ_DIR="$CACHE/temporal-server-$SERVER_VERSION-airlock-$AUTHZ_HASH"

# go_build PKG@VERSION DIR NAME: `go install` into DIR/NAME unless it is there (keyed by version).
go_build() {
  local pkg="$1" dir="$2" name="$3"
  [ -x "$dir/$name" ] && return 0
  command -v go >/dev/null || die "Go is needed to build $pkg" "install Go 1.26 (the machine's Go), then rerun"
  say "building $pkg with go install (a few minutes the first time; kept in $dir)"
  mkdir -p "$dir/tmp"
  GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-modcacherw GOBIN="$dir/tmp" \
    go install "$pkg" >"$dir/build.log" 2>&1 \
    || die "go install $pkg failed (see $dir/build.log)" "check that the Go module proxy is reachable, then rerun"
  mv "$dir/tmp/$(basename "${pkg%@*}")" "$dir/$name" && rmdir "$dir/tmp"
}

# build_server: `go build` Airlock's server from deploy/temporal/server into AUTHZ_DIR, unless built.
build_server() {
  [ -x "$AUTHZ_DIR/temporal-server" ] && return 0
  command -v go >/dev/null || die "Go is needed to build the Temporal server" "install Go 1.26 (the machine's Go), then rerun"
  say "building the Temporal server with Airlock's authorizer (a few minutes the first time; kept in $AUTHZ_DIR)"
  mkdir -p "$AUTHZ_DIR"
  # The cache's real path: Go's build cache is keyed by source paths, and a linked .cache (a
  # worktree's) then reuses what the checkout it links to compiled.
  local cache; cache="$(cd "$CACHE" && pwd -P)"
  (cd "$AUTHZ_SRC" && GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS=-modcacherw \
    go build -o "$AUTHZ_DIR/temporal-server.tmp" .) >"$AUTHZ_DIR/build.log" 2>&1 \
    || die "building deploy/temporal/server failed (see $AUTHZ_DIR/build.log)" "check that the Go module proxy is reachable, then rerun"
  mv "$AUTHZ_DIR/temporal-server.tmp" "$AUTHZ_DIR/temporal-server"
}

ensure_binaries() {
  build_server
  go_build "go.temporal.io/server/cmd/tools/sql@v$SERVER_VERSION" "$SERVER_DIR" temporal-sql-tool
  if [ ! -d "$SERVER_DIR/schema" ]; then
    # The schema files ship in the server module; keep a copy beside the binaries.
    local mod="$CACHE/go/mod/go.temporal.io/server@v$SERVER_VERSION/schema/postgresql/v12"
    [ -d "$mod" ] || GOMODCACHE="$CACHE/go/mod" GOFLAGS=-modcacherw go mod download "go.temporal.io/server@v$SERVER_VERSION" \
      || die "could not download the Temporal server module for its schema" "check the Go module proxy"
    mkdir -p "$SERVER_DIR/schema" && cp -r "$mod" "$SERVER_DIR/schema/" && chmod -R u+w "$SERVER_DIR/schema"
  fi
  go_build "github.com/temporalio/ui-server/v2/cmd/server@v$UI_VERSION" "$UI_DIR" ui-server
}

# --- PostgreSQL --------------------------------------------------------------------------------
pg_bin() {
  local dir="${AIRLOCK_PG_BIN_DIR:-$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n1)}"
  [ -x "$dir/postgres" ] || die "PostgreSQL server binaries not found" "run 'make bootstrap' (installs Debian's postgresql)"
  echo "$dir"
}
# as_pg CMD…: run a PostgreSQL server binary, as the postgres user when we are root (initdb refuses root).
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_running() { [ -f "$PG_DIR/data/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; }
psql_admin() { PGPASSWORD="$(cat "$PROD/pg-admin.password")" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U admin -d postgres "$@"; }
secret() { [ -s "$1" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' > "$1"); cat "$1"; }

ensure_postgres() {
  local bin; bin="$(pg_bin)"
  secret "$PROD/pg-admin.password" >/dev/null
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$PROD" 2>/dev/null; then
      PG_DIR="$PG_LINKED"
      ln -sfn "$PG_DIR" "$PROD/pg"
    fi
    say "creating the production profile's PostgreSQL cluster ($PG_DIR, 127.0.0.1:$PG_PORT)"
    rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
    install -m 600 "$PROD/pg-admin.password" "$PG_DIR/pwfile"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_DIR"
    as_pg "$bin/initdb" -D "$PG_DIR/data" -U admin --pwfile="$PG_DIR/pwfile" -A scram-sha-256 -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
      || die "initdb failed (see $PG_DIR/initdb.log)" "delete $PG_DIR and rerun"
    rm -f "$PG_DIR/pwfile"
  fi
  if ! pg_running; then
    as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=200 -c shared_buffers=256MB" >/dev/null \
      || die "PostgreSQL did not start (see $PG_DIR/server.log)" "read the log's last lines"
  fi
  psql_admin -v pw="$(secret "$PROD/temporal-db.password")" <<'SQL' >/dev/null || die "could not create Temporal's database role" "see $PG_DIR/server.log"
SELECT 'CREATE ROLE temporal LOGIN CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') \gexec
ALTER ROLE temporal PASSWORD :'pw';
SQL
  # The workers' audit log and vault: the same script docker-compose.yml's state-db service runs.
  PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=admin PGPASSWORD="$(cat "$PROD/pg-admin.password")" PGDATABASE=postgres \
    STATE_DB_PASSWORD="$(secret "$PROD/state-db.password")" STATE_DB_SCHEMA="$ROOT/src/state/schema.sql" \
    sh "$ROOT/deploy/postgres/state-db.sh" >>"$LOGS/production-state-db.log" 2>&1 \
    || die "could not set up the state database" "see $LOGS/production-state-db.log"
}

# Temporal's databases and schema: the same script docker-compose.yml's temporal-schema service runs.
ensure_schema() {
  SQL_TOOL="$SERVER_DIR/temporal-sql-tool" SCHEMA_DIR="$SERVER_DIR/schema/v12" TEMPORAL_DB_HOST=127.0.0.1 \
    TEMPORAL_DB_PORT="$PG_PORT" TEMPORAL_DB_USER=temporal TEMPORAL_DB_PASSWORD="$(cat "$PROD/temporal-db.password")" \
    sh "$ROOT/deploy/temporal/setup-schema.sh" >>"$LOGS/temporal-schema.log" 2>&1 \
    || die "could not set up Temporal's schema" "see $LOGS/temporal-schema.log"
}

# --- Temporal services -------------------------------------------------------------------------
service_running() { [ -f "$PIDS/$1.pid" ] && alive "$(cat "$PIDS/$1.pid")"; }
# A Temporal service started from another build of the server (an older authorizer, or the stock one).
stale_build() { [ "$(cat "$PIDS/$1.build" 2>/dev/null)" != "$AUTHZ_HASH" ]; }
cli_tls=(--tls-ca-path "$CERTS/ca.pem" --tls-cert-path "$CERTS/operator.pem" --tls-key-path "$CERTS/operator.key"
  --tls-server-name temporal-frontend)
frontend_healthy() { temporal operator cluster health --address "127.0.0.1:$FRONTEND_PORT" "${cli_tls[@]}" 2>/dev/null | grep -q SERVING; }

start_service() {
  local s="$1"
  service_running "$s" && return 0
  [ -x "$AUTHZ_DIR/temporal-server" ] || die "the Temporal server is not built" "run 'bash scripts/production.sh up'"
  env TEMPORAL_CERTS_DIR="$CERTS" TEMPORAL_DB_PORT="$PG_PORT" TEMPORAL_DB_PASSWORD="$(cat "$PROD/temporal-db.password")" \
    TEMPORAL_FRONTEND_PORT="$FRONTEND_PORT" TEMPORAL_DYNAMIC_CONFIG="$ROOT/deploy/temporal/dynamicconfig.yaml" \
    TEMPORAL_METRICS_BIND="127.0.0.1:${METRICS_PORT[$s]}" TEMPORAL_FRONTEND_HTTP_PORT=$((7343 + OFF)) \
    TEMPORAL_HISTORY_PORT="${GRPC_PORT[history]}" TEMPORAL_MATCHING_PORT="${GRPC_PORT[matching]}" \
    TEMPORAL_WORKER_PORT="${GRPC_PORT[worker]}" TEMPORAL_FRONTEND_MEMBERSHIP_PORT="${MEMBERSHIP_PORT[frontend]}" \
    TEMPORAL_HISTORY_MEMBERSHIP_PORT="${MEMBERSHIP_PORT[history]}" TEMPORAL_MATCHING_MEMBERSHIP_PORT="${MEMBERSHIP_PORT[matching]}" \
    TEMPORAL_WORKER_MEMBERSHIP_PORT="${MEMBERSHIP_PORT[worker]}" \
    setsid "$AUTHZ_DIR/temporal-server" --config-file "$ROOT/deploy/temporal/server.yaml" \
    start --service "$s" >>"$LOGS/temporal-$s.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$s.pid"
  echo "$AUTHZ_HASH" >"$PIDS/$s.build"
}

start_ui() {
  service_running ui && return 0
  load_env
  env TEMPORAL_UI_PORT="$UI_PORT" TEMPORAL_ADDRESS="127.0.0.1:$FRONTEND_PORT" TEMPORAL_CERTS_DIR="$CERTS" \
    TEMPORAL_CODEC_ENDPOINT="http://127.0.0.1:${AIRLOCK_CODEC_PORT:-8234}" \
    setsid "$UI_DIR/ui-server" --root "$ROOT" --config deploy/temporal/ui --env production start >>"$LOGS/temporal-ui.log" 2>&1 </dev/null &
  echo $! >"$PIDS/ui.pid"
}

write_env() {
  rm -f "$PROD_ENV.tmp"
  (umask 077; cat >"$PROD_ENV.tmp" <<ENV
TEMPORAL_ADDRESS=127.0.0.1:$FRONTEND_PORT
TEMPORAL_TLS_CA_FILE=$CERTS/ca.pem
TEMPORAL_TLS_CERT_FILE=$CERTS/worker.pem
TEMPORAL_TLS_KEY_FILE=$CERTS/worker.key
TEMPORAL_TLS_WEBHOOK_CERT_FILE=$CERTS/webhook.pem
TEMPORAL_TLS_WEBHOOK_KEY_FILE=$CERTS/webhook.key
TEMPORAL_TLS_A2A_CERT_FILE=$CERTS/a2a.pem
TEMPORAL_TLS_A2A_KEY_FILE=$CERTS/a2a.key
TEMPORAL_TLS_CLI_CERT_FILE=$CERTS/operator.pem
TEMPORAL_TLS_CLI_KEY_FILE=$CERTS/operator.key
TEMPORAL_TLS_SERVER_NAME=temporal-frontend
TEMPORAL_UI_URL=http://127.0.0.1:$UI_PORT
AIRLOCK_STATE_DB_URL=postgres://airlock_state:$(cat "$PROD/state-db.password")@127.0.0.1:$PG_PORT/airlock_state
AIRLOCK_PROD_PIDS=$PIDS
AIRLOCK_PROD_TEMPORAL_DB_URL=postgres://temporal:$(cat "$PROD/temporal-db.password")@127.0.0.1:$PG_PORT/temporal
ENV
  mv "$PROD_ENV.tmp" "$PROD_ENV")
}

# Every port this profile needs, checked before anything starts: one clear message per busy port.
preflight() {
  local s
  busy() { port_busy "$1" && die "port $1 on 127.0.0.1 is already in use by another program" \
    "stop it (see: ss -ltnp 'sport = :$1') or set $2"; return 0; }
  pg_running || busy "$PG_PORT" AIRLOCK_PROD_PG_PORT
  service_running frontend || busy "$FRONTEND_PORT" AIRLOCK_PROD_TEMPORAL_PORT
  for s in history matching worker; do
    service_running "$s" || busy "${GRPC_PORT[$s]}" "AIRLOCK_PROD_PORT_OFFSET (moves every port of this profile)"
  done
  service_running ui || busy "$UI_PORT" AIRLOCK_PROD_UI_PORT
}

up() {
  command -v temporal >/dev/null || die "the Temporal CLI is not installed" "run 'make bootstrap'"
  ensure_writable "$PROD"; ensure_writable "$LOGS"
  preflight
  mkdir -p "$PIDS"
  ensure_binaries
  bash "$ROOT/scripts/certs.sh" "$CERTS"
  ensure_postgres
  ensure_schema
  # One at a time, each listening before the next starts: the first to start writes the cluster's
  # metadata, and services started together race on it.
  local s started=0
  # Services still running another build of the server stop first (the frontend first, so no
  # client reaches the new authorizer's data through an old frontend), then start again below.
  for s in frontend worker matching history; do
    if service_running "$s" && stale_build "$s"; then
      say "restarting temporal $s on the server with Airlock's authorizer ($AUTHZ_HASH)"
      stop_pid "$PIDS/$s.pid" "temporal $s"; rm -f "$PIDS/$s.pid"
    fi
  done
  for s in "${SERVICES[@]}"; do
    service_running "$s" && continue
    start_service "$s"; started=1
    wait_for 60 port_busy "${GRPC_PORT[$s]}" || die "temporal $s did not start" "read $LOGS/temporal-$s.log"
  done
  wait_for 60 frontend_healthy || die "the Temporal frontend did not become healthy" "read $LOGS/temporal-*.log"
  ensure_search_attributes "${cli_tls[@]}" --address "127.0.0.1:$FRONTEND_PORT"
  start_ui
  wait_for 30 port_busy "$UI_PORT" || die "the Temporal UI server did not start" "read $LOGS/temporal-ui.log"
  write_env
  [ "$started" = 1 ] && say "production Temporal (PostgreSQL, mTLS) on 127.0.0.1:$FRONTEND_PORT, UI http://127.0.0.1:$UI_PORT (read-only)"
  say "settings for Airlock's processes: $PROD_ENV"
}

down() {
  local s
  for s in ui frontend worker matching history; do stop_pid "$PIDS/$s.pid" "temporal $s"; rm -f "$PIDS/$s.pid"; done
  if [ -d "$PG_DIR/data" ] && pg_running; then
    say "stopping the production PostgreSQL"
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null || true
  fi
}

# Stop, and delete the profile's data (the cluster too, also where .data links to).
purge() {
  down
  [ -L "$PROD/pg" ] && rm -rf "$(readlink -f "$PROD/pg")"
  rm -rf "$PROD"
}

status() {
  local s up=1
  for s in "${SERVICES[@]}" ui; do service_running "$s" || up=0; done
  if [ "$up" = 1 ] && frontend_healthy; then
    echo "production temporal: up (127.0.0.1:$FRONTEND_PORT, mTLS; UI http://127.0.0.1:$UI_PORT)"
  else
    echo "production temporal: down"
  fi
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  purge) purge ;;
  status) status ;;
  start)
    case "${2:-}" in
      ui) start_ui ;;
      history | matching | frontend | worker) mkdir -p "$PIDS"; start_service "$2" ;;
      *) die "unknown service '${2:-}'" "use history, matching, frontend, worker or ui" ;;
    esac ;;
  kill)
    [ -f "$PIDS/${2:-none}.pid" ] || die "no pid file for '${2:-}'" "use history, matching, frontend, worker or ui"
    pid="$(cat "$PIDS/$2.pid")"
    kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.2; done
    ! alive "$pid" || die "temporal $2 (pid $pid) did not die" "kill it by hand" ;;
  *) die "unknown command ${1}" "use up, down, status, start SERVICE or kill SERVICE" ;;
esac
