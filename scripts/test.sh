#!/usr/bin/env bash
# `make test`: format check, lint, type-check, then the whole suite against real services. Stops
# afterwards whatever it had to start (services already running are left as they were).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
note_services
cleanup() {
  stop_started_services
}
trap cleanup EXIT

say "format check, lint, type-check"
npx prettier --check . >/dev/null || die "formatting differs" "run 'make format'"
npx eslint --max-warnings 0 . || die "lint failed" "fix the problems listed above"
npx tsc -p . || die "type-check failed" "fix the errors listed above"

# Both profiles: most tests use the dev server; test/production/ runs against the production stack.
bash scripts/up.sh production
load_env
# Test runs go to a namespace of their own, so the operator's view of `default` stays theirs.
export TEMPORAL_NAMESPACE=airlock-test
say "running the test suite"
node scripts/run-tests.ts "$@"
