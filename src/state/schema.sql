-- Airlock's shared state in PostgreSQL (AIRLOCK_STATE_DB_URL): the audit chain and the vault.
-- Airlock runs this file when one of the tables is missing (its role then owns them); in the
-- production profile the database owner runs it ahead of time and grants Airlock's role only
-- INSERT and SELECT on the audit table (see the state-db service in docker-compose.yml).

-- One row per audit record; `record` is the record's JSON exactly as the file log writes a line.
CREATE TABLE IF NOT EXISTS airlock_audit (
  seq bigint PRIMARY KEY,
  id text NOT NULL UNIQUE,
  at timestamptz NOT NULL,
  type text NOT NULL,
  record text NOT NULL
);

-- The chain's signed head (the file log's anchor): a cut tail leaves a valid chain, not this.
CREATE TABLE IF NOT EXISTS airlock_audit_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq bigint NOT NULL,
  hash text NOT NULL,
  mac text
);

-- Append-only, whoever asks: changing records needs the owner to drop or disable this trigger.
CREATE OR REPLACE FUNCTION airlock_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'airlock_audit is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE OR REPLACE TRIGGER airlock_audit_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON airlock_audit
  FOR EACH STATEMENT EXECUTE FUNCTION airlock_audit_append_only();

-- One row per credential: the sealed record's JSON (metadata, key id, nonce, ciphertext).
CREATE TABLE IF NOT EXISTS airlock_vault (
  name text PRIMARY KEY,
  record text NOT NULL
);

-- The HMAC over every record, as in the vault file: catches records deleted or replayed.
CREATE TABLE IF NOT EXISTS airlock_vault_seal (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  key_id text NOT NULL,
  mac text NOT NULL
);
