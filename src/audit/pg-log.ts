// The audit log in PostgreSQL, for workers on several hosts: the same records and the same hash
// chain as the file log (chain.ts), one row each in `airlock_audit`, with the signed head anchor in
// `airlock_audit_head`. Appends from every worker serialize on a transaction-scoped advisory lock,
// so the chain never forks; an id already present is not appended again. The appends waiting at a
// moment share one transaction (group-commit.ts). The table refuses UPDATE
// and DELETE by trigger, and in the production profile Airlock's role may only INSERT and SELECT.
// That role can still INSERT a correctly chained row; with a key every record is signed, and the
// appender refuses to extend past a row Airlock did not write (see Authorship in chain.ts).
import { AirlockError } from '../errors.ts';
import { inTransaction, StateDb, type Queryable } from '../state/pg.ts';
import { describePostgresUrl } from '../state/url.ts';
import { checkAnchor, signAnchor, type Anchor } from './anchor.ts';
import { GroupCommit } from './group-commit.ts';
import { Authorship, chainRecord, GENESIS, verifyLines, verifyTail } from './chain.ts';
import type { AuditEvent, AuditRecord, AuditStore, VerifyResult } from './chain.ts';

/** Options of a PgAuditLog. */
export interface PgAuditLogOptions {
  /** `postgres://user:password@host:port/db` */
  url: string;
  /** Signs the head anchor (HMAC-SHA256); without it the anchor is kept but unsigned. */
  anchorKey?: Buffer;
}

/** An append-only, hash-chained audit log in a PostgreSQL table, shared by every worker. */
export class PgAuditLog implements AuditStore {
  readonly where: string;
  private readonly db: StateDb;
  private readonly anchorKey: Buffer | undefined;

  constructor(options: PgAuditLogOptions) {
    this.where = `table airlock_audit in ${describePostgresUrl(options.url)}`;
    this.db = new StateDb(options.url);
    this.anchorKey = options.anchorKey;
  }

  /** Append `event` (or return the stored record when its id is already there). */
  append(event: AuditEvent): Promise<AuditRecord> {
    return this.batches.add(event);
  }

  /** How many batches this log has written (each: one transaction). */
  get commits(): number {
    return this.batches.batches;
  }

  // The appends waiting while one transaction runs go together in the next (group-commit.ts).
  private readonly batches = new GroupCommit<AuditEvent, AuditRecord>(async (events) => {
    await this.db.schema();
    return this.db.run(() => inTransaction(this.db.pool, (db) => this.commit(db, events)));
  });

  // In one transaction holding the chain's lock: each event's stored record, new ones appended.
  private async commit(db: Queryable, events: AuditEvent[]): Promise<AuditRecord[]> {
    await db.query("SELECT pg_advisory_xact_lock(hashtext('airlock:audit'))");
    const existing = await db.query<{ record: string }>(
      'SELECT record FROM airlock_audit WHERE id = ANY($1)',
      [events.map((e) => e.id)],
    );
    const stored = new Map<string, AuditRecord>();
    for (const row of existing.rows) {
      const r = JSON.parse(row.record) as AuditRecord;
      stored.set(r.id, r);
    }
    const batchIds = new Set<string>();
    const fresh = events.filter(
      (e) => !stored.has(e.id) && !batchIds.has(e.id) && batchIds.add(e.id),
    );
    if (fresh.length === 0) return events.map((e) => stored.get(e.id) as AuditRecord);
    const last = await db.query<{ record: string }>(
      'SELECT record FROM airlock_audit ORDER BY seq DESC LIMIT 1',
    );
    const tail = last.rows[0] && (JSON.parse(last.rows[0].record) as AuditRecord);
    let head = tail ? { seq: tail.seq, head: tail.hash } : { seq: 0, head: GENESIS };
    // Never extend a log whose tail was cut or rewritten: the new anchor would hide it.
    const anchor = await readHead(db);
    const forged = await this.notAirlocks(db, anchor?.seq ?? 0);
    if (forged)
      throw new AirlockError(
        'audit_tampered',
        `${forged} (${this.where}); see airlock audit verify`,
      );
    if (anchor) {
      const problem = await checkAnchor(anchor, this.anchorKey, head, (seq) => hashAt(db, seq));
      if (problem)
        throw new AirlockError(
          'audit_tampered',
          `${problem} (${this.where}); see airlock audit verify`,
        );
    } else if (head.seq > 0) {
      fresh.unshift({
        id: `anchor-missing:${head.seq}:${head.head}`,
        type: 'audit.anchor_missing',
        at: new Date().toISOString(),
        detail: { seq: head.seq, head: head.head },
      });
    }
    for (const e of fresh) {
      const record = await insert(db, e, head, this.anchorKey);
      stored.set(record.id, record);
      head = { seq: record.seq, head: record.hash };
    }
    const signed = signAnchor({ seq: head.seq, hash: head.head }, this.anchorKey);
    await db.query(
      `INSERT INTO airlock_audit_head (one, seq, hash, mac) VALUES (true, $1, $2, $3)
       ON CONFLICT (one) DO UPDATE SET seq = $1, hash = $2, mac = $3`,
      [signed.seq, signed.hash, signed.mac ?? null],
    );
    return events.map((e) => stored.get(e.id) as AuditRecord);
  }

  // The first record after the anchor (every one, when there is none) that Airlock did not write.
  // Records up to the anchor were checked by the appends that anchored them.
  private async notAirlocks(db: Queryable, anchorSeq: number): Promise<string | undefined> {
    if (!this.anchorKey) return undefined;
    const rows = await db.query<{ record: string }>(
      'SELECT record FROM airlock_audit WHERE seq > $1 ORDER BY seq',
      [anchorSeq],
    );
    const authors = new Authorship(this.anchorKey, anchorSeq > 0);
    for (const row of rows.rows) {
      const problem = authors.problem(JSON.parse(row.record) as AuditRecord);
      if (problem) return problem;
    }
    return undefined;
  }

  /** Every record, in order. */
  async read(): Promise<AuditRecord[]> {
    return (await this.lines()).map((l) => JSON.parse(l) as AuditRecord);
  }

  /** The records after record `seq`, in order. */
  async readAfter(seq: number): Promise<AuditRecord[]> {
    await this.db.schema();
    const rows = await this.db.run(() =>
      this.db.pool.query<{ record: string }>(
        'SELECT record FROM airlock_audit WHERE seq > $1 ORDER BY seq',
        [seq],
      ),
    );
    return rows.rows.map((r) => JSON.parse(r.record) as AuditRecord);
  }

  /** Check every link of the chain, every record's own hash, and the tail against the anchor. */
  async verify(): Promise<VerifyResult> {
    const lines = await this.lines();
    const chain = verifyLines(lines, this.anchorKey);
    if (!chain.ok) return chain;
    const anchor = await this.db.run(() => readHead(this.db.pool));
    const hashes = new Map<number, string>();
    for (const l of lines) {
      const r = JSON.parse(l) as AuditRecord;
      hashes.set(r.seq, r.hash);
    }
    return verifyTail(
      chain,
      anchor,
      this.anchorKey,
      (seq) => Promise.resolve(hashes.get(seq)),
      'table airlock_audit_head',
    );
  }

  /** Close the connection pool. */
  async close(): Promise<void> {
    await this.db.close();
  }

  private async lines(): Promise<string[]> {
    await this.db.schema();
    const rows = await this.db.run(() =>
      this.db.pool.query<{ record: string }>('SELECT record FROM airlock_audit ORDER BY seq'),
    );
    return rows.rows.map((r) => r.record);
  }
}

async function insert(
  db: Queryable,
  event: AuditEvent,
  prev: { seq: number; head: string },
  key: Buffer | undefined,
): Promise<AuditRecord> {
  const record = chainRecord(event, prev, key);
  await db.query(
    'INSERT INTO airlock_audit (seq, id, at, type, record) VALUES ($1, $2, $3, $4, $5)',
    [record.seq, record.id, record.at, record.type, JSON.stringify(record)],
  );
  return record;
}

async function readHead(db: Queryable): Promise<Anchor | undefined> {
  const rows = await db.query<{ seq: string; hash: string; mac: string | null }>(
    'SELECT seq, hash, mac FROM airlock_audit_head',
  );
  const row = rows.rows[0];
  if (!row) return undefined;
  return { seq: Number(row.seq), hash: row.hash, ...(row.mac !== null && { mac: row.mac }) };
}

async function hashAt(db: Queryable, seq: number): Promise<string | undefined> {
  const rows = await db.query<{ record: string }>(
    'SELECT record FROM airlock_audit WHERE seq = $1',
    [seq],
  );
  const row = rows.rows[0];
  return row && (JSON.parse(row.record) as AuditRecord).hash;
}
