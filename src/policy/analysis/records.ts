// Reading audit records for analysis: the JSON-lines file streamed line by line (a million records
// must not be held at once), or any store's records, kept only inside a time window. Every record's
// place in the chain (seq and prevHash) is checked on the way; the records' own hashes are checked
// by `airlock audit verify` (or `--verify` here), which costs a hash per record.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { recordHash, GENESIS, type AuditRecord, type AuditStore } from '../../audit/log.ts';
import { AirlockError } from '../../errors.ts';

/** The time window analysed: records with since <= at < until (ms since the epoch). */
export interface Window {
  since: number;
  until: number;
}

/** Options of a read: the window, and whether to check each record's own hash too. */
export interface ReadOptions {
  window: Window;
  verifyHashes?: boolean;
}

/** The window `--since`/`--until` name (ISO times or durations back from now like "30d"). */
export function parseWindow(
  since: string | undefined,
  until: string | undefined,
  now: Date,
): Window {
  const end = until === undefined ? now.getTime() : timeOf(until, now, '--until');
  const start = since === undefined ? end - 30 * 86_400_000 : timeOf(since, now, '--since');
  if (!(start < end))
    throw new AirlockError(
      'analysis_window',
      `the window is empty: --since ${new Date(start).toISOString()} is not before --until ${new Date(end).toISOString()}`,
    );
  return { since: start, until: end };
}

function timeOf(text: string, now: Date, flag: string): number {
  const back = /^(\d+)([dhm])$/.exec(text);
  if (back) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[back[2] as 'd' | 'h' | 'm'];
    return now.getTime() - Number(back[1]) * unit;
  }
  const t = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(t))
    throw new AirlockError(
      'analysis_window',
      `${flag} "${text}" is neither an ISO date-time (2026-11-01 or 2026-11-01T08:00:00Z) nor a duration back from now (30d, 12h, 90m)`,
    );
  return t;
}

/** Checks records arrive in chain order: seq counts up by one and each links to the one before. */
class ChainCheck {
  private seq = 0;
  private prev = GENESIS;
  private readonly where: string;
  private readonly hashes: boolean;

  constructor(where: string, hashes: boolean) {
    this.where = where;
    this.hashes = hashes;
  }

  check(rec: AuditRecord): void {
    if (rec.seq !== this.seq + 1 || rec.prevHash !== this.prev) {
      const what =
        rec.seq !== this.seq + 1
          ? `record ${rec.seq} follows record ${this.seq}`
          : `record ${rec.seq} does not link to record ${this.seq}`;
      throw new AirlockError(
        'audit_broken',
        `the audit chain is broken at ${this.where}: ${what} (records missing, reordered or edited); run airlock audit verify`,
      );
    }
    if (this.hashes) {
      const { hash, mac: _mac, ...body } = rec;
      if (recordHash(body) !== hash)
        throw new AirlockError(
          'audit_broken',
          `record ${rec.seq} was modified (${this.where}); run airlock audit verify`,
        );
    }
    this.seq = rec.seq;
    this.prev = rec.hash;
  }
}

/** The records of the JSON-lines log at `path` inside the window, in order, streamed. */
export async function* readLogFile(
  path: string,
  options: ReadOptions,
): AsyncGenerator<AuditRecord> {
  const chain = new ChainCheck(path, options.verifyHashes ?? false);
  const { since, until } = options.window;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT' ? new AirlockError('audit_missing', `no audit log at ${path}`) : err,
      ),
    );
  });
  await opened;
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    if (text === '') continue;
    let rec: AuditRecord;
    try {
      rec = JSON.parse(text) as AuditRecord;
    } catch {
      throw new AirlockError(
        'audit_corrupt',
        `${path}:${line} is not a JSON audit record (a cut or corrupted line); run airlock audit verify`,
      );
    }
    if (
      typeof rec !== 'object' ||
      rec === null ||
      typeof rec.type !== 'string' ||
      typeof rec.at !== 'string'
    )
      throw new AirlockError(
        'audit_corrupt',
        `${path}:${line} is not an audit record (no type or at)`,
      );
    chain.check(rec);
    const at = Date.parse(rec.at);
    if (at >= since && at < until) yield rec;
  }
}

/** The records of any audit store inside the window (a database store is read whole). */
export async function* readStore(
  store: AuditStore,
  options: ReadOptions,
): AsyncGenerator<AuditRecord> {
  const chain = new ChainCheck(store.where, options.verifyHashes ?? false);
  for (const rec of await store.read()) {
    chain.check(rec);
    const at = Date.parse(rec.at);
    if (at >= options.window.since && at < options.window.until) yield rec;
  }
}
