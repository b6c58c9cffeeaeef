# Airlock: two commands for a fresh clone — `make demo` and `make test`. Everything else is here
# for development. Tools are installed into .cache/ (git-ignored), state lives in .data/.
SHELL := /bin/bash
export PATH := $(CURDIR)/.cache/bin:$(PATH)
LOAD_ENV := set -a; [ -f .data/env ] && . .data/env; set +a;

.PHONY: demo test bootstrap up down status check lint format typecheck bench bundle worker clean

## demo: set everything up and run the demo (Ctrl-C stops what it started);
##       MODEL=local runs the agents on a real language model on the CPU (fetched once)
MODEL ?= standin
demo: bootstrap
	@AIRLOCK_DEMO_MODEL=$(MODEL) bash scripts/demo.sh

## test: set everything up, run format check, lint, type-check and the whole suite
test: bootstrap
	@bash scripts/test.sh

## bootstrap: install Node.js (if needed), npm packages, the Temporal CLI and test server
bootstrap:
	@bash scripts/bootstrap.sh

## up: start the Docker engine (if needed) and the Temporal dev server, build the sandbox image;
##     PROFILE=production also starts PostgreSQL, the Temporal server (four services, mTLS) and its UI
PROFILE ?= dev
up: bootstrap
	@bash scripts/up.sh $(PROFILE)

## down: stop what `make up` started
down:
	@bash scripts/production.sh down
	@bash scripts/codec.sh down
	@bash scripts/temporal.sh down
	@bash scripts/docker.sh down

## status: show what is running
status:
	@bash scripts/temporal.sh status
	@bash scripts/production.sh status
	@bash scripts/codec.sh status
	@bash scripts/docker.sh status

check: bootstrap
	@npx prettier --check . && npx eslint --max-warnings 0 . && npx tsc -p .

lint: bootstrap
	@npx eslint --max-warnings 0 .

format: bootstrap
	@npx prettier --write .

typecheck: bootstrap
	@npx tsc -p .

bundle: bootstrap
	@node scripts/bundle-workflows.ts

worker: up
	@$(LOAD_ENV) node workers/main.ts

## bench: run the benchmarks (not part of the test suite); results go to bench/RESULTS.md
bench: up
	@$(LOAD_ENV) bash bench/run.sh

clean: down
	@bash scripts/production.sh purge
	rm -rf .data dist test-results
