// The Chat SDK's state in PostgreSQL (@chat-adapter/state-pg), shared by every webhook replica, so
// a Teams activity delivered to two replicas is handled once. state-pg honours TTLs only when it
// reads: an expired cache row is deleted only when that same key is read again, expired list rows
// and locks stay, and nothing bounds the number of rows. A flood of distinct requests (a dedupe key
// each, three 30-day user-cache rows per new sender) would grow the tables without limit, as it
// grew the memory store. So every `sweepEveryMs` one replica deletes expired rows and, per table,
// all but the newest `maxKeys` (rows without a TTL last). The URL's password is never logged.
import { PostgresStateAdapter } from '@chat-adapter/state-pg';
import type { Logger as ChatLogger } from 'chat';
import pg from 'pg';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { describePostgresUrl } from './url.ts';

/** Options of the PostgreSQL chat state. */
export interface PostgresChatStateOptions {
  /** `postgres://user:password@host:port/db` */
  url: string;
  /** Most rows kept per table. */
  maxKeys: number;
  sweepEveryMs: number;
  logger: Logger;
  /** The Chat SDK-shaped logger state-pg reports through. */
  chatLogger: ChatLogger;
}

/** Rows one sweep deleted. */
export interface SweepResult {
  expired: number;
  surplus: number;
  /** False when another replica was sweeping at the time (nothing done). */
  swept: boolean;
}

const keyPrefix = 'airlock';

// Expired rows, per table (subscriptions have no expiry).
const expiredRows = [
  'chat_state_cache',
  'chat_state_locks',
  'chat_state_lists',
  'chat_state_queues',
].map((table) => `DELETE FROM ${table} WHERE key_prefix = $1 AND expires_at <= now()`);

// All but the newest $2 rows, per table; in the cache, rows with a TTL go before rows without one
// (Airlock's own per-approver context is kept without a TTL; floods only make rows with one).
const surplusRows = [
  ['chat_state_cache', 'cache_key', '(expires_at IS NULL) DESC, updated_at DESC'],
  ['chat_state_lists', 'seq', 'seq DESC'],
  ['chat_state_queues', 'seq', 'seq DESC'],
  ['chat_state_locks', 'thread_id', 'expires_at DESC'],
  ['chat_state_subscriptions', 'thread_id', 'created_at DESC'],
].map(
  ([table, key, newestFirst]) =>
    `DELETE FROM ${table} WHERE key_prefix = $1 AND ${key} IN (
       SELECT ${key} FROM ${table} WHERE key_prefix = $1 ORDER BY ${newestFirst} OFFSET $2)`,
);

/** The Chat SDK's PostgreSQL state, with expired and surplus rows swept away periodically. */
export class SweptPostgresState extends PostgresStateAdapter {
  private readonly options: PostgresChatStateOptions;
  private readonly ownPool: pg.Pool;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepResult> | undefined;

  /** A state on its own connection pool to `options.url`; connect() opens it. */
  constructor(options: PostgresChatStateOptions) {
    const pool = new pg.Pool({
      connectionString: options.url,
      connectionTimeoutMillis: 10_000,
      max: 10,
    });
    // An idle connection that breaks (database restarted) is reported here; unhandled, it would
    // end the process. The next query opens a new connection.
    pool.on('error', (err) =>
      options.logger.warn({ err }, 'chat state: a database connection failed'),
    );
    super({ client: pool, keyPrefix, logger: options.chatLogger });
    this.options = options;
    this.ownPool = pool;
  }

  /** Connect, create the tables if needed and start sweeping; throws AirlockError when it cannot. */
  override async connect(): Promise<void> {
    try {
      await super.connect();
    } catch (err) {
      throw new AirlockError(
        'chat_state_unavailable',
        `cannot use the chat state database ${describePostgresUrl(this.options.url)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweepInBackground(), this.options.sweepEveryMs);
    this.timer.unref();
    this.options.logger.info(
      { chatState: describePostgresUrl(this.options.url) },
      'chat state: PostgreSQL',
    );
  }

  /** Stop sweeping, let a sweep in flight finish, close the pool. */
  override async disconnect(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => undefined);
    await super.disconnect();
    if (!this.ownPool.ended) await this.ownPool.end();
  }

  /**
   * Delete expired rows and, per table, all but the newest `maxKeys`. Replicas take turns: the one
   * holding the transaction's advisory lock sweeps, the others skip.
   */
  async sweep(): Promise<SweepResult> {
    const client = await this.ownPool.connect();
    let failure: Error | undefined;
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [`airlock:chat-state-sweep:${keyPrefix}`],
      );
      if (!lock.rows[0]?.locked) {
        await client.query('ROLLBACK');
        return { expired: 0, surplus: 0, swept: false };
      }
      let expired = 0;
      let surplus = 0;
      for (const sql of expiredRows)
        expired += (await client.query(sql, [keyPrefix])).rowCount ?? 0;
      for (const sql of surplusRows) {
        surplus += (await client.query(sql, [keyPrefix, this.options.maxKeys])).rowCount ?? 0;
      }
      await client.query('COMMIT');
      return { expired, surplus, swept: true };
    } catch (err) {
      failure = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(failure); // a failed connection is closed, not reused
    }
  }

  private async sweepInBackground(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = this.sweep();
    try {
      const result = await this.sweeping;
      if (result.expired + result.surplus > 0) {
        this.options.logger.debug({ ...result }, 'chat state: swept old rows');
      }
    } catch (err) {
      this.options.logger.warn({ err }, 'chat state: sweeping old rows failed; retried later');
    } finally {
      this.sweeping = undefined;
    }
  }
}
