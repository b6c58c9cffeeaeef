#!/usr/bin/env bash
# `make demo`: brings the stack up, starts a worker, runs the demo job, prints where to look, and
# keeps running until Ctrl-C, which stops everything it started. AIRLOCK_DEMO_ONESHOT=1 exits
# right after the job (used by the demo's own test).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
temporal_was_up=$(bash scripts/temporal.sh status | grep -c ': up' || true)
docker_was_ours=0; [ -f "$RUN_DIR/started-by-us" ] && docker_was_ours=1
worker_pid=""
cleanup() {
  trap - EXIT INT TERM
  say "stopping what the demo started"
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null
  [ "$temporal_was_up" = 1 ] || bash scripts/temporal.sh down
  [ "$docker_was_ours" = 1 ] || bash scripts/docker.sh down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/up.sh
load_env
export TEMPORAL_TASK_QUEUE="${TEMPORAL_TASK_QUEUE:-airlock}"
mkdir -p "$DATA/logs"
node workers/main.ts >>"$DATA/logs/worker.log" 2>&1 &
worker_pid=$!
wait_for 60 grep -q '"msg":"worker started"' "$DATA/logs/worker.log" || die "the worker did not start (see $DATA/logs/worker.log)" "read the log's last lines"
node scripts/demo-run.ts || exit 1

if [ "${AIRLOCK_DEMO_ONESHOT:-0}" != 1 ]; then
  say "the stack keeps running so you can explore the Temporal UI; press Ctrl-C to stop"
  wait "$worker_pid"
fi
