#!/bin/sh
# The workers' shared state (audit log, vault) in a database of its own, so workers on several
# hosts share one audit chain and one vault. The tables belong to the connecting admin role;
# Airlock's role (airlock_state) may only add to and read the audit log. Idempotent.
# Run by docker-compose.yml's state-db service and by scripts/production.sh, with libpq's PG*
# settings for an admin connection, STATE_DB_PASSWORD and STATE_DB_SCHEMA (src/state/schema.sql).
set -e
: "${STATE_DB_PASSWORD:?set STATE_DB_PASSWORD}" "${STATE_DB_SCHEMA:?set STATE_DB_SCHEMA}"
psql -X -q -v ON_ERROR_STOP=1 -v pw="$STATE_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE airlock_state LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'airlock_state') \gexec
ALTER ROLE airlock_state PASSWORD :'pw';
SELECT 'CREATE DATABASE airlock_state' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'airlock_state') \gexec
SQL
psql -X -q -v ON_ERROR_STOP=1 -d airlock_state -f "$STATE_DB_SCHEMA"
psql -X -q -v ON_ERROR_STOP=1 -d airlock_state <<'SQL'
REVOKE ALL ON airlock_audit, airlock_audit_head, airlock_vault, airlock_vault_seal FROM airlock_state;
GRANT SELECT, INSERT ON airlock_audit TO airlock_state;
GRANT SELECT, INSERT, UPDATE ON airlock_audit_head TO airlock_state;
GRANT SELECT, INSERT, UPDATE, DELETE ON airlock_vault, airlock_vault_seal TO airlock_state;
SQL
