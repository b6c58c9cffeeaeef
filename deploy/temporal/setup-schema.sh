#!/bin/sh
# Create Temporal's two PostgreSQL databases if missing and bring their schemas to the newest
# version shipped with the server (idempotent; safe on every start and on upgrades).
# Run by scripts/production.sh and docker-compose.yml's temporal-schema service with:
#   SQL_TOOL (temporal-sql-tool), SCHEMA_DIR (the server's schema/postgresql/v12 folder),
#   TEMPORAL_DB_HOST, TEMPORAL_DB_PORT, TEMPORAL_DB_USER, TEMPORAL_DB_PASSWORD.
set -e
: "${SQL_TOOL:?}" "${SCHEMA_DIR:?}" "${TEMPORAL_DB_PASSWORD:?}"
for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  set -- --plugin postgres12 --ep "${TEMPORAL_DB_HOST:-127.0.0.1}" -p "${TEMPORAL_DB_PORT:-5432}" \
    -u "${TEMPORAL_DB_USER:-temporal}" --pw "$TEMPORAL_DB_PASSWORD" --db "$db"
  # create-database fails when it exists; setup-schema -v 0.0 only creates the version table.
  "$SQL_TOOL" "$@" create-database 2>/dev/null || true
  "$SQL_TOOL" "$@" setup-schema -v 0.0
  "$SQL_TOOL" "$@" update-schema -d "$SCHEMA_DIR/$dir/versioned"
done
