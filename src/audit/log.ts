// The audit log: append-only JSON lines, each record carrying the hash of the one before it, so
// editing, deleting or reordering any record breaks the chain and `verify` says where. A cut tail
// leaves a valid chain, so the appender also keeps the chain's head in a signed anchor beside the
// log (see anchor.ts). Appends are idempotent by event id (activities retry) and serialized across
// processes by a lock file, in batches (group-commit.ts): one lock, one write and one anchor for
// all the appends waiting at that moment, in arrival order. With a key every record is signed, and
// the appender checks each record it did not write itself (see Authorship in chain.ts) before it
// extends the chain: signing over a forged record would make it look like Airlock's.
import { appendFile, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AirlockError } from '../errors.ts';
import { withFileLock } from '../file-lock.ts';
import { GroupCommit } from './group-commit.ts';
import { anchorPath, checkAnchor, readAnchor, writeAnchor } from './anchor.ts';
import { Authorship, chainRecord, GENESIS, recordHash, verifyLines, verifyTail } from './chain.ts';
import type { AuditEvent, AuditRecord, AuditStore, VerifyResult } from './chain.ts';

export { GENESIS, recordHash } from './chain.ts';
export type { AuditEvent, AuditRecord, AuditStore, VerifyResult } from './chain.ts';

/** Options of an AuditLog. */
export interface AuditLogOptions {
  /**
   * Signs the head anchor and every record (HMAC-SHA256); without it they are kept unsigned and
   * nobody's authorship is checked.
   */
  anchorKey?: Buffer;
}

// What this process has read of the file, and the first record in it that Airlock did not write.
interface Seen {
  size: number;
  seq: number;
  head: string;
  ids: Set<string>;
  authors: Authorship;
  forged?: string;
}

/** An append-only, hash-chained audit log in one file, anchored by a signed head file beside it. */
export class AuditLog implements AuditStore {
  readonly path: string;
  readonly anchorPath: string;
  private readonly anchorKey: Buffer | undefined;
  // What this process has read of the file: appended-to files are read incrementally.
  private seen: Seen;
  // Where readAfter stopped: the next call after the same record reads on from this byte.
  private cursor = { seq: 0, offset: 0 };
  // Appends waiting while a batch is written go together in the next one (group-commit.ts).
  private readonly batches = new GroupCommit<AuditEvent, AuditRecord>((events) =>
    withFileLock(`${this.path}.lock`, () => this.commit(events), 10_000, 'audit_busy'),
  );

  constructor(path: string, options: AuditLogOptions = {}) {
    this.path = path;
    this.anchorPath = anchorPath(path);
    this.anchorKey = options.anchorKey;
    this.seen = this.unread();
  }

  private unread(): Seen {
    return {
      size: 0,
      seq: 0,
      head: GENESIS,
      ids: new Set(),
      authors: new Authorship(this.anchorKey),
    };
  }

  /** The log file's path. */
  get where(): string {
    return this.path;
  }

  /** How many batches this log has written (each: one lock, one write, one anchor). */
  get commits(): number {
    return this.batches.batches;
  }

  /** Append `event` (or return the stored record when its id is already there). */
  append(event: AuditEvent): Promise<AuditRecord> {
    return this.batches.add(event);
  }

  // Under the lock: the stored record of each event, appending those not yet in the log.
  private async commit(events: AuditEvent[]): Promise<AuditRecord[]> {
    await mkdir(dirname(this.path), { recursive: true });
    const found = await this.catchUp(new Set(events.map((e) => e.id)));
    const batchIds = new Set<string>();
    const fresh = events.filter(
      (e) => !found.has(e.id) && !batchIds.has(e.id) && batchIds.add(e.id),
    );
    if (fresh.length > 0) {
      // Never extend a log whose tail was cut or rewritten, or that holds a record someone else
      // wrote: the new anchor and the next record's link would vouch for it.
      const anchor = await readAnchor(this.anchorPath);
      if (this.seen.forged)
        throw new AirlockError(
          'audit_tampered',
          `${this.seen.forged} (${this.path}); see airlock audit verify`,
        );
      if (anchor) {
        const problem =
          (await checkAnchor(anchor, this.anchorKey, this.seen, (seq) => this.hashAt(seq))) ??
          this.seen.authors.beyond(anchor.seq);
        if (problem)
          throw new AirlockError(
            'audit_tampered',
            `${problem} (${this.path}); see airlock audit verify`,
          );
      } else if (this.seen.seq > 0) {
        // A log without its anchor (older Airlock, or the anchor was deleted): say so in the chain.
        fresh.unshift({
          id: `anchor-missing:${this.seen.seq}:${this.seen.head}`,
          type: 'audit.anchor_missing',
          at: new Date().toISOString(),
          detail: { seq: this.seen.seq, head: this.seen.head },
        });
      }
      const written = await this.write(fresh);
      for (const r of written) found.set(r.id, r);
      const last = written.at(-1) as AuditRecord;
      await writeAnchor(this.anchorPath, { seq: last.seq, hash: last.hash }, this.anchorKey);
    }
    return events.map((e) => found.get(e.id) as AuditRecord);
  }

  // Chain `events` after the head and append them in one write.
  private async write(events: AuditEvent[]): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let head = { seq: this.seen.seq, head: this.seen.head };
    for (const e of events) {
      const record = chainRecord(e, head, this.anchorKey);
      records.push(record);
      head = { seq: record.seq, head: record.hash };
    }
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    await appendFile(this.path, text, { mode: 0o600 });
    this.seen = { ...this.seen, size: this.seen.size + Buffer.byteLength(text), ...head };
    for (const r of records) this.seen.ids.add(r.id);
    return records;
  }

  private async hashAt(seq: number): Promise<string | undefined> {
    return (await this.read()).find((r) => r.seq === seq)?.hash;
  }

  /** Every record, in order. */
  async read(): Promise<AuditRecord[]> {
    const text = await readFile(this.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord);
  }

  /**
   * The records after record `seq`, in order. Called again with the last seq it returned, it reads
   * only the bytes appended since; a line still being written is left for the next call.
   */
  async readAfter(seq: number): Promise<AuditRecord[]> {
    const fh = await open(this.path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (!fh) return [];
    try {
      const { size } = await fh.stat();
      let from = seq === this.cursor.seq && size >= this.cursor.offset ? this.cursor : null;
      from ??= { seq: 0, offset: 0 };
      const buf = Buffer.alloc(size - from.offset);
      await fh.read(buf, 0, buf.length, from.offset);
      const end = buf.lastIndexOf(0x0a) + 1;
      const records = buf
        .subarray(0, end)
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditRecord);
      this.cursor = { seq: records.at(-1)?.seq ?? from.seq, offset: from.offset + end };
      return records.filter((r) => r.seq > seq);
    } finally {
      await fh.close();
    }
  }

  /** Check every link of the chain, every record's own hash, and the tail against the anchor. */
  async verify(): Promise<VerifyResult> {
    const chain = await this.verifyChain();
    if (!chain.ok) return chain;
    const hashes = new Map<number, string>();
    return verifyTail(
      chain,
      await readAnchor(this.anchorPath),
      this.anchorKey,
      async (seq) => {
        if (hashes.size === 0) for (const r of await this.read()) hashes.set(r.seq, r.hash);
        return hashes.get(seq);
      },
      this.anchorPath,
    );
  }

  private async verifyChain(): Promise<VerifyResult> {
    let lines: string[];
    try {
      lines = (await readFile(this.path, 'utf8')).split('\n').filter(Boolean);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { ok: true, count: 0, head: GENESIS };
      throw err;
    }
    return verifyLines(lines, this.anchorKey);
  }

  // Why `rec`, read after the head this process knows, cannot be extended: a broken link or hash,
  // or a record Airlock did not write. Undefined when it is Airlock's next record.
  private notAirlocks(rec: AuditRecord): string | undefined {
    const { hash, mac: _mac, ...body } = rec;
    if (rec.seq !== this.seen.seq + 1 || rec.prevHash !== this.seen.head)
      return `record ${rec.seq} does not follow record ${this.seen.seq}`;
    if (recordHash(body) !== hash) return `record ${rec.seq} was modified`;
    return this.seen.authors.problem(rec);
  }

  // Read what other processes appended since we last looked; return the stored records of `ids`.
  private async catchUp(ids: Set<string>): Promise<Map<string, AuditRecord>> {
    const size = await stat(this.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size < this.seen.size) this.seen = this.unread();
    const found = new Map<string, AuditRecord>();
    if (size > this.seen.size) {
      const fh = await open(this.path, 'r');
      const buf = Buffer.alloc(size - this.seen.size);
      await fh.read(buf, 0, buf.length, this.seen.size);
      await fh.close();
      for (const line of buf.toString('utf8').split('\n').filter(Boolean)) {
        const rec = JSON.parse(line) as AuditRecord;
        this.seen.forged ??= this.notAirlocks(rec);
        this.seen.ids.add(rec.id);
        this.seen.seq = rec.seq;
        this.seen.head = rec.hash;
        if (ids.has(rec.id)) found.set(rec.id, rec);
      }
      this.seen.size = size;
    }
    if ([...ids].some((id) => !found.has(id) && this.seen.ids.has(id)))
      for (const r of await this.read()) if (ids.has(r.id) && !found.has(r.id)) found.set(r.id, r);
    return found;
  }
}
