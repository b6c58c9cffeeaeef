// The inbox's writer: the only code that touches inbox.jsonl after start. It appends waiting
// clicks in groups (one write and one fsync for every click that arrived meanwhile) and delivery
// markers (not synced), cuts a failed append back so no line is torn, and compacts the file to
// the undelivered entries when it grows or once everything is delivered and all is quiet.
import { open, type FileHandle } from 'node:fs/promises';
import { AirlockError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { deliveredLine, entryLine, rewriteInbox, type InboxEntry } from './file.ts';

/** Options of an inbox writer. */
/** A writer's counts and health, as the inbox reads them. */
export interface WriterState {
  /** Clicks queued and not yet durable. */
  queued: number;
  /** Set when the file could not be repaired: every click is refused until a restart. */
  broken: Error | undefined;
  /** Clicks made durable, and the fsyncs that did it. */
  accepted: number;
  syncs: number;
}

export interface InboxWriterOptions {
  dir: string;
  file: string;
  logger: Logger;
  /** Makes appended lines durable. */
  sync: (file: FileHandle) => Promise<void>;
  /** Idle time after everything is delivered before the file is emptied (ms). */
  compactIdleMs: number;
  /** Size past which the file is rewritten even with deliveries outstanding. */
  compactBytes: number;
  /** Whether the inbox is open: only then are batches forwarded and idle compactions scheduled. */
  isOpen(): boolean;
  /** Called with each appended batch once it is durable and its clicks are acknowledged. */
  onDurable(entries: InboxEntry[]): void;
}

/** A writer of one inbox file. */
export interface InboxWriter {
  /** Rewrite the file with `entries` (the undelivered ones found at start) and open it. */
  open(key: Buffer, entries: InboxEntry[]): Promise<void>;
  /** Queue a click's entry; resolves once it is fsynced, rejects if it could not be written. */
  record(entry: InboxEntry): Promise<void>;
  /** Mark an entry done (delivered or dead-lettered): forget it and append its marker. */
  markDone(seq: number): void;
  /** Every durable entry without a delivery marker (in flight or not): what a rewrite keeps. */
  readonly undelivered: ReadonlyMap<number, InboxEntry>;
  /** Where the writer stands now (a fresh snapshot each call). */
  state(): WriterState;
  /** Stop the idle compaction timer (the inbox is closing). */
  cancelCompaction(): void;
  /** Write what is queued and the markers, empty the file if all is delivered, sync, close. */
  close(): Promise<void>;
}

interface Waiter {
  entry: InboxEntry;
  resolve(): void;
  reject(err: Error): void;
}

/** Create a writer (not open). */
export function createInboxWriter(options: InboxWriterOptions): InboxWriter {
  const { dir, file, logger, sync, compactBytes, compactIdleMs } = options;
  let key: Buffer = Buffer.alloc(0);
  let fh: FileHandle | undefined;
  /** Bytes of the file known to be whole lines; a failed append is cut back to it. */
  let size = 0;
  /** Size past which the file is rewritten (grows with a large backlog, so rewrites stay rare). */
  let compactAt = compactBytes;
  let broken: Error | undefined;
  // The writer runs at most once at a time, so appends, cut-backs and rewrites never interleave.
  let writing: Promise<void> | undefined;
  let waiting: Waiter[] = [];
  let markers: number[] = [];
  let compactWanted = false;
  let compactTimer: NodeJS.Timeout | undefined;
  let accepted = 0;
  let syncs = 0;
  const undelivered = new Map<number, InboxEntry>();

  function kick(): void {
    if (writing || !fh) return;
    writing = (async () => {
      // Let every click of this event-loop turn join the first batch.
      await new Promise((r) => setImmediate(r));
      while (fh && (waiting.length > 0 || markers.length > 0 || compactWanted)) {
        if (compactWanted) await compact();
        // After a failure, wait for the next click or delivery instead of spinning on a bad disk.
        else if (!(await append())) break;
      }
    })().finally(() => {
      writing = undefined;
      scheduleCompaction();
    });
  }

  /** Append the waiting clicks (then fsync) and the delivery markers (not synced). */
  async function append(): Promise<boolean> {
    const batch = waiting;
    const done = markers;
    waiting = [];
    markers = [];
    const text =
      batch.map((w) => entryLine(key, w.entry)).join('') +
      (done.length ? deliveredLine(key, done) : '');
    const bytes = Buffer.from(text);
    try {
      if (broken) throw broken;
      let at = 0;
      while (at < bytes.length) at += (await (fh as FileHandle).write(bytes, at)).bytesWritten;
      // Markers alone are not synced: losing them after a crash only means a duplicate signal.
      if (batch.length > 0) {
        await sync(fh as FileHandle);
        syncs++;
      }
      size += bytes.length;
    } catch (err) {
      if (!broken) await cutBack(err);
      logger.error(
        { err, clicks: batch.length },
        'inbox write failed; clicks refused (platforms retry)',
      );
      for (const w of batch) {
        w.reject(new AirlockError('inbox_write_failed', 'click not recorded', { cause: err }));
      }
      if (!broken) markers = done.concat(markers);
      return false;
    }
    accepted += batch.length;
    for (const w of batch) {
      undelivered.set(w.entry.seq, w.entry);
      w.resolve();
    }
    if (size > compactAt) compactWanted = true;
    if (options.isOpen()) options.onDurable(batch.map((w) => w.entry));
    return true;
  }

  /** After a failed append, drop whatever part of it reached the file, so no line is torn. */
  async function cutBack(cause: unknown): Promise<void> {
    try {
      await (fh as FileHandle).truncate(size);
    } catch (err) {
      broken = err as Error;
      logger.error({ err, cause }, 'inbox file cannot be repaired; refusing clicks until restart');
    }
  }

  /** Rewrite the file with only the undelivered entries (empty when all are delivered). */
  async function compact(): Promise<void> {
    compactWanted = false;
    try {
      const bytes = await rewriteInbox(dir, file, key, [...undelivered.values()]);
      markers = []; // their entries are not in the new file
      await reopen();
      compactAt = Math.max(compactBytes, 2 * bytes);
    } catch (err) {
      logger.error({ err }, 'inbox compaction failed');
      // It may have failed before or after the rename: append to whichever file is in place now
      // (the old handle may point at a replaced file, where appends would be lost).
      await reopen().catch((e: unknown) => {
        broken = e as Error;
        logger.error({ err: e }, 'inbox file cannot be reopened; refusing clicks until restart');
      });
    }
  }

  async function reopen(): Promise<void> {
    await fh?.close();
    fh = undefined;
    fh = await open(file, 'a', 0o600);
    size = (await fh.stat()).size;
  }

  /** Empty the file once everything is delivered and nothing happened for a while. */
  function scheduleCompaction(): void {
    if (compactTimer || !options.isOpen() || undelivered.size > 0 || size === 0) return;
    compactTimer = setTimeout(() => {
      compactTimer = undefined;
      if (!options.isOpen() || undelivered.size > 0 || size === 0) return;
      compactWanted = true;
      kick();
    }, compactIdleMs);
    compactTimer.unref();
  }

  async function drain(): Promise<void> {
    kick();
    while (writing) await writing;
  }

  return {
    async open(k, entries) {
      key = k;
      // Start from a clean file: no torn tail for new lines to be glued to, no delivered history.
      size = await rewriteInbox(dir, file, key, entries);
      compactAt = Math.max(compactBytes, 2 * size);
      fh = await open(file, 'a', 0o600);
      for (const e of entries) undelivered.set(e.seq, e);
    },
    record(entry) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ entry, resolve, reject });
        kick();
      });
    },
    markDone(seq) {
      undelivered.delete(seq);
      markers.push(seq);
      kick();
    },
    undelivered,
    state: () => ({ queued: waiting.length, broken, accepted, syncs }),
    cancelCompaction: () => clearTimeout(compactTimer),
    async close() {
      await drain();
      if (undelivered.size === 0 && size > 0 && !broken) compactWanted = true;
      await drain();
      if (fh && !broken) {
        await sync(fh).catch((err: unknown) =>
          logger.warn({ err }, 'inbox: last delivery markers not synced (may be sent again)'),
        );
      }
      await fh?.close();
      fh = undefined;
    },
  };
}
