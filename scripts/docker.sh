#!/usr/bin/env bash
# The Docker engine for sandboxes: use DOCKER_HOST or the default socket when it answers;
# otherwise install Debian's docker.io and run our own rootful dockerd (no iptables, no bridge:
# sandboxes have no network anyway), with its own data root, exec root, pid file and socket.
# Usage: docker.sh up | down | status
. "$(dirname "$0")/lib.sh"

OWN_SOCK="$RUN_DIR/docker.sock"
OWN_PID="$RUN_DIR/dockerd.pid"
DATA_ROOT="$CACHE/docker"   # images survive restarts; never needed for correctness
LOG="$DATA/logs/dockerd.log"

answers() { timeout 5 docker -H "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
own_running() { [ -f "$OWN_PID" ] && kill -0 "$(cat "$OWN_PID")" 2>/dev/null; }

ensure_client() {
  command -v docker >/dev/null && command -v dockerd >/dev/null && return
  [ "$(id -u)" = 0 ] || die "Docker is not installed and installing it needs root" "run as root, or install Docker and set DOCKER_HOST"
  say "installing Debian's docker.io package"
  (apt-get install -y docker.io >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y docker.io >/dev/null 2>&1; }) \
    || die "apt-get install docker.io failed" "check that Debian's package repository is reachable (apt-get update)"
}

start_own() {
  [ "$(id -u)" = 0 ] || die "no Docker engine answers and starting one needs root" "run as root, or start Docker and set DOCKER_HOST"
  ensure_writable "$DATA/logs"
  mkdir -p "$RUN_DIR/exec" "$DATA_ROOT"
  local driver
  for driver in overlay2 vfs; do
    say "starting dockerd ($driver storage) on unix://$OWN_SOCK"
    setsid dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver="$driver" \
      --data-root "$DATA_ROOT/$driver" --exec-root "$RUN_DIR/exec" --pidfile "$OWN_PID" \
      -H "unix://$OWN_SOCK" >>"$LOG" 2>&1 < /dev/null &
    if wait_for 30 answers "unix://$OWN_SOCK"; then echo "unix://$OWN_SOCK" > "$RUN_DIR/docker-host"; return; fi
    own_running && kill "$(cat "$OWN_PID")" 2>/dev/null; sleep 1
  done
  die "dockerd did not start (see $LOG)" "read the log's last lines; overlay2 and vfs both failed"
}

case "${1:-status}" in
  up)
    ensure_client
    if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then host=$DOCKER_HOST
    elif own_running && answers "unix://$OWN_SOCK"; then host="unix://$OWN_SOCK"
    elif answers unix:///var/run/docker.sock; then host=unix:///var/run/docker.sock
    else start_own; host="unix://$OWN_SOCK"; touch "$RUN_DIR/started-by-us"
    fi
    env_set DOCKER_HOST "$host"
    say "docker: $host"
    ;;
  down)
    stop_pid "$OWN_PID" dockerd
    rm -f "$RUN_DIR/started-by-us"
    ;;
  status)
    load_env
    if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then echo "docker: up ($DOCKER_HOST)"; else echo "docker: down"; fi
    ;;
  *) die "unknown command ${1}" "use up, down or status" ;;
esac
