#!/bin/sh
# The webhook's own role and database, for its Chat SDK state (dedupe keys, caches, locks) shared by
# every webhook replica. Idempotent. Run by docker-compose.yml's chat-state-db service with libpq's
# PG* settings for an admin connection and CHAT_STATE_PASSWORD.
set -e
: "${CHAT_STATE_PASSWORD:?set CHAT_STATE_PASSWORD}"
psql -X -q -v ON_ERROR_STOP=1 -v pw="$CHAT_STATE_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE airlock_chat LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'airlock_chat') \gexec
ALTER ROLE airlock_chat PASSWORD :'pw';
SELECT 'CREATE DATABASE airlock_chat OWNER airlock_chat' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'airlock_chat') \gexec
SQL
