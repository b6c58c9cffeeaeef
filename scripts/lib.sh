# Shared shell helpers for Airlock's setup scripts: paths, messages, and failing with a fix.
# Sourced, never run. Every failure names the cause and the fix in one message.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
DATA="${AIRLOCK_DATA_DIR:-$ROOT/.data}"
BIN="$CACHE/bin"
ENV_FILE="$DATA/env"
# Unix socket paths are limited to 108 bytes, so runtime sockets live under /run, keyed by checkout.
RUN_DIR="/run/airlock-$(printf '%s' "$ROOT" | sha256sum | cut -c1-10)"
export PATH="$BIN:$PATH"

say() { printf '\033[1m[airlock]\033[0m %s\n' "$*" >&2; }

# die "what went wrong" "how to fix it"
die() {
  printf '\033[31m[airlock] error:\033[0m %s\n' "$1" >&2
  [ -n "${2:-}" ] && printf '  fix: %s\n' "$2" >&2
  exit 1
}

ensure_writable() {
  mkdir -p "$1" 2>/dev/null || die "cannot create $1" "make the folder writable or set AIRLOCK_DATA_DIR to a writable path"
  [ -w "$1" ] || die "$1 is not writable" "make the folder writable (chmod u+w) or set AIRLOCK_DATA_DIR to a writable path"
}

# port_busy PORT: true when something listens on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for SECONDS CMD…: retry CMD every 0.2 s until it succeeds or time runs out.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# env_set KEY VALUE: record a setting in .data/env for later make targets and tests. The file holds
# secrets (payload key, codec token), so it is owner-only (0600), and so is an older file it replaces.
env_set() {
  ensure_writable "$DATA"
  (
    umask 077
    touch "$ENV_FILE"
    grep -v "^$1=" "$ENV_FILE" > "$ENV_FILE.tmp" || true
    printf '%s=%s\n' "$1" "$2" >> "$ENV_FILE.tmp"
    chmod 600 "$ENV_FILE.tmp"
    mv "$ENV_FILE.tmp" "$ENV_FILE"
  )
}

load_env() { if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi; }

# alive PID: running, and not a zombie (a stopped service stays a zombie until whoever adopted it
# reaps it, and kill -0 still succeeds on it).
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st:0:1}" != Z ]; }

# stop_pid FILE NAME: stop the process in pid FILE (TERM, then KILL after 20 s).
stop_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  alive "$pid" || return 0
  say "stopping $2"
  kill "$pid"
  local deadline=$((SECONDS + 20))
  while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  ! alive "$pid" || kill -9 "$pid" 2>/dev/null || true
}

# note_services: remember which local services were already running, so stop_started_services
# stops only what this command started (the codec server, the Temporal dev server, the production
# profile, our dockerd).
note_services() {
  codec_was_up=$(bash "$ROOT/scripts/codec.sh" status | grep -c ': up' || true)
  temporal_was_up=$(bash "$ROOT/scripts/temporal.sh" status | grep -c ': up' || true)
  production_was_up=$(bash "$ROOT/scripts/production.sh" status | grep -c ': up' || true)
  docker_was_ours=0
  if [ -f "$RUN_DIR/started-by-us" ]; then docker_was_ours=1; fi
}
stop_started_services() {
  [ "$codec_was_up" = 1 ] || bash "$ROOT/scripts/codec.sh" down
  [ "$temporal_was_up" = 1 ] || bash "$ROOT/scripts/temporal.sh" down
  [ "$production_was_up" = 1 ] || bash "$ROOT/scripts/production.sh" down
  [ "$docker_was_ours" = 1 ] || bash "$ROOT/scripts/docker.sh" down
  return 0
}
