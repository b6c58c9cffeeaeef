// The PostgreSQL database that holds state every worker shares (AIRLOCK_STATE_DB_URL): the audit
// chain and the vault (the webhook's Chat SDK state is chat.ts's). A connection pool per store,
// the tables created when missing (schema.sql), transactions, and errors that name the database
// without its password.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { AirlockError } from '../errors.ts';
import { describePostgresUrl } from './url.ts';

const tables = ['airlock_audit', 'airlock_audit_head', 'airlock_vault', 'airlock_vault_seal'];

/** Something queries run on: a pool or one connection of it. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** A pool on the state database; idle connections do not keep the process (the CLI) alive. */
export function statePool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    max: 5,
    allowExitOnIdle: true,
  });
  // An idle connection that breaks (database restarted) is dropped; the next query reconnects and
  // reports its own error. Unhandled, this event would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** An error that names the state database (never its credentials). */
export function unavailable(url: string, err: unknown): AirlockError {
  if (err instanceof AirlockError) return err;
  return new AirlockError(
    'state_db_unavailable',
    `cannot use the state database ${describePostgresUrl(url)}: ${(err as Error).message}`,
    { cause: err },
  );
}

/** Create Airlock's tables unless they are all there already (then nothing is asked of the role). */
export async function ensureSchema(db: Queryable): Promise<void> {
  const found = await db.query<{ missing: boolean }>(
    'SELECT bool_or(to_regclass(t) IS NULL) AS missing FROM unnest($1::text[]) AS t',
    [tables],
  );
  if (!found.rows[0]?.missing) return;
  // One simple query runs as one transaction: the lock keeps two workers starting together apart.
  const lock = "SELECT pg_advisory_xact_lock(hashtext('airlock:schema'));\n";
  await db.query(lock + readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'));
}

/** Run `use` in a transaction on one connection of `pool`: committed, or rolled back on error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  use: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await use(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failure = err as Error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release(failure instanceof AirlockError ? undefined : failure);
  }
}

/**
 * The state database as a store uses it: one pool, the schema ensured once (asked again after a
 * failure), and every failure worded as the database being unusable, without its credentials.
 */
export class StateDb {
  readonly pool: pg.Pool;
  private readonly url: string;
  private ready: Promise<void> | undefined;

  constructor(url: string) {
    this.url = url;
    this.pool = statePool(url);
  }

  /** Create the tables if they are missing (once per process while it succeeds). */
  schema(): Promise<void> {
    this.ready ??= this.run(() => ensureSchema(this.pool)).catch((err: unknown) => {
      this.ready = undefined; // try again next time
      throw err;
    });
    return this.ready;
  }

  /** Run `query`; its failure becomes `state_db_unavailable` (AirlockErrors pass through). */
  async run<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (err) {
      throw unavailable(this.url, err);
    }
  }

  /** Close the pool. */
  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
