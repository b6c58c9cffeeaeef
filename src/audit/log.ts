// The audit log: append-only JSON lines, each record carrying the hash of the one before it, so
// editing, deleting or reordering any record breaks the chain and `verify` says where. A cut tail
// leaves a valid chain, so the appender also keeps the chain's head in a signed anchor beside the
// log (see anchor.ts). Appends are idempotent by event id (activities retry) and serialized across
// processes by a lock file.
import { appendFile, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AirlockError } from '../errors.ts';
import { withFileLock } from '../file-lock.ts';
import { anchorPath, checkAnchor, readAnchor, writeAnchor } from './anchor.ts';
import {
  chainRecord,
  GENESIS,
  verifyLines,
  verifyTail,
  type AuditEvent,
  type AuditRecord,
  type AuditStore,
  type VerifyResult,
} from './chain.ts';

export { GENESIS, recordHash } from './chain.ts';
export type { AuditEvent, AuditRecord, AuditStore, VerifyResult } from './chain.ts';

/** Options of an AuditLog. */
export interface AuditLogOptions {
  /** Signs the head anchor (HMAC-SHA256); without it the anchor is kept but unsigned. */
  anchorKey?: Buffer;
}

/** An append-only, hash-chained audit log in one file, anchored by a signed head file beside it. */
export class AuditLog implements AuditStore {
  readonly path: string;
  readonly anchorPath: string;
  private readonly anchorKey: Buffer | undefined;
  // What this process has read of the file: appended-to files are read incrementally.
  private seen = { size: 0, seq: 0, head: GENESIS, ids: new Set<string>() };
  private queue: Promise<unknown> = Promise.resolve();
  // Where readAfter stopped: the next call after the same record reads on from this byte.
  private cursor = { seq: 0, offset: 0 };

  constructor(path: string, options: AuditLogOptions = {}) {
    this.path = path;
    this.anchorPath = anchorPath(path);
    this.anchorKey = options.anchorKey;
  }

  /** The log file's path. */
  get where(): string {
    return this.path;
  }

  /** Append `event` (or return the stored record when its id is already there). */
  append(event: AuditEvent): Promise<AuditRecord> {
    const run = () =>
      withFileLock(
        `${this.path}.lock`,
        async () => {
          await mkdir(dirname(this.path), { recursive: true });
          const existing = await this.catchUp(event.id);
          if (existing) return existing;
          // Never extend a log whose tail was cut or rewritten: the new anchor would hide it.
          const anchor = await readAnchor(this.anchorPath);
          if (anchor) {
            const problem = await checkAnchor(anchor, this.anchorKey, this.seen, (seq) =>
              this.hashAt(seq),
            );
            if (problem)
              throw new AirlockError(
                'audit_tampered',
                `${problem} (${this.path}); see airlock audit verify`,
              );
          } else if (this.seen.seq > 0) {
            // A log without its anchor (older Airlock, or the anchor was deleted): say so in the chain.
            await this.write({
              id: `anchor-missing:${this.seen.seq}:${this.seen.head}`,
              type: 'audit.anchor_missing',
              at: new Date().toISOString(),
              detail: { seq: this.seen.seq, head: this.seen.head },
            });
          }
          const record = await this.write(event);
          await writeAnchor(
            this.anchorPath,
            { seq: record.seq, hash: record.hash },
            this.anchorKey,
          );
          return record;
        },
        10_000,
        'audit_busy',
      );
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(event: AuditEvent): Promise<AuditRecord> {
    const record = chainRecord(event, this.seen);
    const line = `${JSON.stringify(record)}\n`;
    await appendFile(this.path, line, { mode: 0o600 });
    this.seen = {
      ...this.seen,
      size: this.seen.size + Buffer.byteLength(line),
      seq: record.seq,
      head: record.hash,
    };
    this.seen.ids.add(record.id);
    return record;
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
    return verifyLines(lines);
  }

  // Read what other processes appended since we last looked; return the record with `id` if any.
  private async catchUp(id: string): Promise<AuditRecord | undefined> {
    const size = await stat(this.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size < this.seen.size) this.seen = { size: 0, seq: 0, head: GENESIS, ids: new Set() };
    let found: AuditRecord | undefined;
    if (size > this.seen.size) {
      const fh = await open(this.path, 'r');
      const buf = Buffer.alloc(size - this.seen.size);
      await fh.read(buf, 0, buf.length, this.seen.size);
      await fh.close();
      for (const line of buf.toString('utf8').split('\n').filter(Boolean)) {
        const rec = JSON.parse(line) as AuditRecord;
        this.seen.ids.add(rec.id);
        this.seen.seq = rec.seq;
        this.seen.head = rec.hash;
        if (rec.id === id) found = rec;
      }
      this.seen.size = size;
    }
    if (found || !this.seen.ids.has(id)) return found;
    return (await this.read()).find((r) => r.id === id);
  }
}
