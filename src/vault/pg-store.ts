// The CredentialStore in PostgreSQL, for workers on several hosts: each credential one row of
// `airlock_vault` holding its sealed record, encrypted exactly as in the file store
// (record-crypto.ts), and `airlock_vault_seal` holding the HMAC over all of them, so a row deleted,
// duplicated or replayed from an older backup fails the check as a replaced file would. Changes
// run in a transaction under an advisory lock: concurrent puts from every worker serialize.
import { AirlockError } from '../errors.ts';
import { inTransaction, StateDb, type Queryable } from '../state/pg.ts';
import { describePostgresUrl } from '../state/url.ts';
import type { VaultKeys } from './keys.ts';
import { storeMac, verifyStoreMac, type SealedRecord } from './record-crypto.ts';
import { SealedCredentialStore, sealedRecordSchema, type Change } from './sealed-store.ts';

/** Options of the PostgreSQL store. */
export interface PgStoreOptions {
  /** `postgres://user:password@host:port/db` */
  url: string;
  keys: VaultKeys;
  now?: () => Date;
}

// Records and seal in one statement, so one snapshot: a put committing in between is never half seen.
const loadSql = `SELECT (SELECT json_build_object('keyId', key_id, 'mac', mac) FROM airlock_vault_seal) AS seal,
  (SELECT coalesce(json_agg(record), '[]'::json) FROM airlock_vault) AS records`;

// By code point, the same on every host (the seal covers the records in this order).
const byName = (a: SealedRecord, b: SealedRecord) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** A CredentialStore in a PostgreSQL database shared by every worker. */
export class PgCredentialStore extends SealedCredentialStore {
  private readonly where: string;
  private readonly db: StateDb;

  constructor(options: PgStoreOptions) {
    super(options.keys, options.now);
    this.where = `table airlock_vault in ${describePostgresUrl(options.url)}`;
    this.db = new StateDb(options.url);
  }

  /** Close the connection pool. */
  async close(): Promise<void> {
    await this.db.close();
  }

  protected async load(): Promise<SealedRecord[]> {
    await this.db.schema();
    return this.db.run(() => this.loadFrom(this.db.pool));
  }

  protected async mutate<T>(change: Change<T>): Promise<T> {
    await this.db.schema();
    return this.db.run(() =>
      inTransaction(this.db.pool, async (db) => {
        await db.query("SELECT pg_advisory_xact_lock(hashtext('airlock:vault'))");
        const before = await this.loadFrom(db);
        const { records, result } = change(before);
        const next = [...records].sort(byName);
        const old = new Map(before.map((r) => [r.name, JSON.stringify(r)]));
        const kept = new Set(next.map((r) => r.name));
        for (const name of old.keys())
          if (!kept.has(name)) await db.query('DELETE FROM airlock_vault WHERE name = $1', [name]);
        for (const r of next) {
          const text = JSON.stringify(r);
          if (old.get(r.name) === text) continue;
          await db.query(
            `INSERT INTO airlock_vault (name, record) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET record = $2`,
            [r.name, text],
          );
        }
        await db.query(
          `INSERT INTO airlock_vault_seal (one, key_id, mac) VALUES (true, $1, $2)
           ON CONFLICT (one) DO UPDATE SET key_id = $1, mac = $2`,
          [this.keyring.active.id, storeMac(next, this.keyring.active)],
        );
        return result;
      }),
    );
  }

  private async loadFrom(db: Queryable): Promise<SealedRecord[]> {
    const { rows } = await db.query<{
      seal: { keyId: string; mac: string } | null;
      records: string[];
    }>(loadSql);
    const { seal, records: texts } = rows[0] ?? { seal: null, records: [] };
    const records = texts.map((t) => this.parse(t)).sort(byName);
    if (!seal) {
      if (records.length === 0) return [];
      throw this.tampered('has records but no seal');
    }
    const key = this.keyring.get(seal.keyId);
    if (!key) {
      throw new AirlockError(
        'vault_key_mismatch',
        `The vault (${this.where}) was written with key id ${seal.keyId}, but the configured keys ` +
          `have ids ${this.keyring.ids().join(', ')}: wrong AIRLOCK_VAULT_KEY? To rotate, set the new ` +
          'key as AIRLOCK_VAULT_KEY and the old one in AIRLOCK_VAULT_PREVIOUS_KEYS.',
      );
    }
    if (!verifyStoreMac(records, seal.mac, key)) throw this.tampered('failed its integrity check');
    return records;
  }

  private parse(text: string): SealedRecord {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.tampered('holds a record that is not valid JSON');
    }
    const parsed = sealedRecordSchema.safeParse(json);
    if (!parsed.success) throw this.tampered('holds a record without the vault record format');
    return parsed.data;
  }

  private tampered(why: string): AirlockError {
    return new AirlockError(
      'vault_tampered',
      `The vault (${this.where}) ${why}; it was modified outside Airlock. Restore it from a backup.`,
    );
  }
}
