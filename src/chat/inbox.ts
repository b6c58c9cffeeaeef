// A durable local inbox for approval decisions, so the webhook can acknowledge a click once its
// verified, signed decision is on local disk instead of once Temporal took it (about a second for
// 200 signals at once on the dev server, forever while Temporal is down). Decisions are appended
// to one file of authenticated lines (inbox-auth.ts) and fsynced in groups: clicks that arrive
// while a write is under way share the next write and fsync. A forwarder then hands them on (the
// Temporal signal) with bounded concurrency, retrying failures with backoff, and appends delivery
// markers, so a restart replays exactly the undelivered ones. The backlog is bounded (`maxPending`:
// past it clicks are refused, and the platform retries them); a decision that keeps failing is
// moved to dead-letters.jsonl, and lines that fail their check to tampered.jsonl, in the same dir.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { OnDecision } from './receiver.ts';
import { createForwarder } from './inbox-forwarder.ts';
import { inboxKey } from './inbox-auth.ts';
import {
  appendDurably,
  countLines,
  deliveredLine,
  entryLine,
  readInbox,
  rewriteInbox,
  type InboxEntry,
} from './inbox-file.ts';
import { lockDir, type DirLock } from './inbox-lock.ts';
import { namesSensitiveAction } from './signal.ts';

/** Options of the decision inbox. */
export interface DecisionInboxOptions {
  /** Directory of the inbox file and its lock; one process at a time (others are refused). */
  dir: string;
  /** Hands a decision on (the Temporal signal); resolving means delivered or finally dropped. */
  deliver: OnDecision;
  /** Key of the lines' MACs (configuredInboxKey); null: the directory's own inbox.key. */
  key?: Buffer | null;
  logger: Logger;
  /** Decisions accepted and not yet delivered, at most (default 10,000); past it: `inbox_full`. */
  maxPending?: number;
  /** Failed deliveries (not transient) before a decision goes to dead-letters (default 20). */
  maxAttempts?: number;
  /** Failures that do not count as attempts: Temporal unreachable (default: none). */
  isTransient?: (err: unknown) => boolean;
  /** Deliveries in flight at once (default 64). */
  concurrency?: number;
  /** First retry delay of a failed delivery (ms, default 200), doubled up to `retryMaxMs`. */
  retryBaseMs?: number;
  /** Longest retry delay (ms, default 30 s). */
  retryMaxMs?: number;
  /** Idle time after everything is delivered before the file is emptied (ms, default 1 s). */
  compactIdleMs?: number;
  /** Size past which the file is rewritten even with deliveries outstanding (default 4 MiB). */
  compactBytes?: number;
  /**
   * Clicks less than this apart make a burst (ms, default 50): deliveries wait until the burst has
   * been quiet this long, at most `maxHoldMs` from its start (default 500), so acks go first. A
   * lone click is delivered at once.
   */
  burstQuietMs?: number;
  maxHoldMs?: number;
  /** How long close() waits for deliveries in flight (ms, default 10 s). */
  closeTimeoutMs?: number;
  /** Makes appended lines durable (default fdatasync); tests count or fail it. */
  sync?: (file: FileHandle) => Promise<void>;
}

/** Counters of an inbox since start. */
export interface InboxStats {
  accepted: number;
  delivered: number;
  /** Accepted and not yet delivered (including deliveries in flight and waiting to retry). */
  pending: number;
  syncs: number;
  retries: number;
  /** Decisions in dead-letters.jsonl (including earlier processes'). */
  deadLetters: number;
}

/** The inbox: `accept` is the webhook server's onDecision. */
export interface DecisionInbox {
  /**
   * Refuses non-action ids like signalDecision; resolves once the decision is fsynced; rejects
   * with AirlockError `inbox_full` or `inbox_closed` (answer 503: the platform retries).
   */
  accept: OnDecision;
  /** Retry at once every delivery waiting for its backoff (Temporal is reachable again). */
  retryNow(): void;
  /** Lock the directory, load what is undelivered, and start forwarding it. */
  start(): Promise<void>;
  /** Refuse new clicks, let deliveries in flight finish, write markers, release the directory. */
  close(): Promise<void>;
  stats(): InboxStats;
}

/** The inbox directory the config selects: AIRLOCK_INBOX_DIR, or inbox/ in the data folder. */
export function inboxDir(config: Pick<Config, 'AIRLOCK_INBOX_DIR' | 'AIRLOCK_DATA_DIR'>): string {
  return config.AIRLOCK_INBOX_DIR ?? join(config.AIRLOCK_DATA_DIR, 'inbox');
}

interface Waiter {
  entry: InboxEntry;
  resolve(): void;
  reject(err: Error): void;
}

/** Create an inbox (not started). */
export function createDecisionInbox(options: DecisionInboxOptions): DecisionInbox {
  const { dir, logger } = options;
  const compactIdleMs = options.compactIdleMs ?? 1000;
  const compactBytes = options.compactBytes ?? 4 * 1024 * 1024;
  const sync = options.sync ?? ((fh: FileHandle) => fh.datasync());
  const file = join(dir, 'inbox.jsonl');
  const deadLetterFile = join(dir, 'dead-letters.jsonl');
  const maxPending = options.maxPending ?? 10_000;
  const stats = { accepted: 0, delivered: 0, syncs: 0, deadLetters: 0 };
  let key: Buffer = Buffer.alloc(0);
  const burstQuietMs = options.burstQuietMs ?? 50;
  const maxHoldMs = options.maxHoldMs ?? 500;
  // Clicks less than burstQuietMs apart are a burst, from burstStart until it has been quiet for
  // burstQuietMs (burstUntil). Deliveries wait for its end, or maxHoldMs after its start.
  let lastAcceptAt = -Infinity;
  let burstStart = -Infinity;
  let burstUntil = -Infinity;

  let state: 'new' | 'starting' | 'open' | 'closing' | 'closed' = 'new';
  let lock: DirLock | undefined;
  let fh: FileHandle | undefined;
  /** Bytes of the file known to be whole lines; a failed append is cut back to it. */
  let size = 0;
  /** Size past which the file is rewritten (grows with a large backlog, so rewrites stay rare). */
  let compactAt = compactBytes;
  let nextSeq = 1;
  /** Set when the file could not be repaired: every click is refused until a restart. */
  let broken: Error | undefined;
  // The writer is the only code that touches the file after start, and runs at most once at a
  // time, so appends, cut-backs and rewrites never interleave.
  let writing: Promise<void> | undefined;
  let waiting: Waiter[] = [];
  let markers: number[] = [];
  let compactWanted = false;
  let compactTimer: NodeJS.Timeout | undefined;
  /** Every durable entry without a delivery marker (in flight or not): what a rewrite keeps. */
  const undelivered = new Map<number, InboxEntry>();
  const forwarder = createForwarder({
    deliver: (entry) => options.deliver(entry.workflowId, entry.decision),
    logger,
    maxAttempts: options.maxAttempts ?? 20,
    ...(options.isTransient ? { isTransient: options.isTransient } : {}),
    concurrency: options.concurrency ?? 64,
    retryBaseMs: options.retryBaseMs ?? 200,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    holdMs: () => Math.min(burstUntil, burstStart + maxHoldMs) - performance.now(),
    onDelivered: (entry) => {
      undelivered.delete(entry.seq);
      markers.push(entry.seq);
      stats.delivered++;
      kick();
    },
    onDeadLetter: (entry, err, attempts) => void deadLetter(entry, err, attempts),
  });

  /** Give up on `entry`: keep it in dead-letters.jsonl, then mark it done here. */
  async function deadLetter(entry: InboxEntry, err: unknown, attempts: number): Promise<void> {
    const { workflowId, decision } = entry;
    const record = { at: new Date().toISOString(), attempts, error: String(err), ...entry };
    try {
      await appendDurably(deadLetterFile, `${JSON.stringify(record)}\n`);
    } catch (e) {
      // Still in the inbox file: replayed (and retried) at the next start.
      logger.error({ err: e, workflowId }, 'inbox: dead letter not written; kept for a restart');
      return;
    }
    undelivered.delete(entry.seq);
    markers.push(entry.seq);
    stats.deadLetters++;
    logger.error(
      {
        err,
        workflowId,
        approver: decision.approver.displayName,
        decisionId: decision.decisionId,
        attempts,
        file: deadLetterFile,
      },
      'decision given up after repeated failures; moved to dead letters',
    );
    kick();
  }

  const accept: OnDecision = (workflowId, decision) => {
    if (!namesSensitiveAction(workflowId, decision, logger)) return Promise.resolve();
    return enqueue({ workflowId, decision });
  };

  function enqueue(item: Omit<InboxEntry, 'seq'>): Promise<void> {
    if (state !== 'open' || broken) {
      const why = broken ? 'its file cannot be written' : state;
      return Promise.reject(
        new AirlockError('inbox_closed', `the decision inbox is ${why}; click not accepted`),
      );
    }
    if (undelivered.size + waiting.length >= maxPending) {
      return Promise.reject(
        new AirlockError(
          'inbox_full',
          `${maxPending} decisions are waiting for Temporal (AIRLOCK_INBOX_MAX_PENDING); click not accepted`,
        ),
      );
    }
    const now = performance.now();
    if (now - lastAcceptAt < burstQuietMs) {
      if (now > burstUntil) burstStart = lastAcceptAt;
      burstUntil = now + burstQuietMs;
    }
    lastAcceptAt = now;
    return new Promise<void>((resolve, reject) => {
      waiting.push({ entry: { seq: nextSeq++, ...item }, resolve, reject });
      kick();
    });
  }

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
        stats.syncs++;
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
    stats.accepted += batch.length;
    for (const w of batch) {
      undelivered.set(w.entry.seq, w.entry);
      w.resolve();
    }
    if (size > compactAt) compactWanted = true;
    if (state === 'open') forwarder.push(batch.map((w) => w.entry));
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
    if (compactTimer || state !== 'open' || undelivered.size > 0 || size === 0) return;
    compactTimer = setTimeout(() => {
      compactTimer = undefined;
      if (state !== 'open' || undelivered.size > 0 || size === 0) return;
      compactWanted = true;
      kick();
    }, compactIdleMs);
    compactTimer.unref();
  }

  async function drainWriter(): Promise<void> {
    kick();
    while (writing) await writing;
  }

  return {
    accept,
    retryNow: () => forwarder.retryNow(),
    stats: () => ({
      ...stats,
      pending: undelivered.size + waiting.length,
      retries: forwarder.retries,
    }),
    async start() {
      if (state !== 'new') throw new AirlockError('inbox_started', 'the inbox was already started');
      state = 'starting';
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        lock = await lockDir(dir);
        key = await inboxKey(dir, options.key ?? null);
        const found = await readInbox(file, key);
        if (found.tornLines.length > 0) {
          logger.warn(
            { file, lines: found.tornLines },
            'inbox lines that do not parse (a write torn by a crash) skipped',
          );
        }
        if (found.tampered.length > 0) {
          // Never delivered: kept aside for whoever investigates, then dropped from the inbox.
          const aside = join(dir, 'tampered.jsonl');
          const at = new Date().toISOString();
          await appendDurably(
            aside,
            found.tampered.map((t) => `${JSON.stringify({ at, ...t })}\n`).join(''),
          );
          logger.error(
            { file, lines: found.tampered.map((t) => t.line), movedTo: aside },
            'inbox lines failed their check (tampered, or written with another key); not delivered',
          );
        }
        stats.deadLetters = await countLines(deadLetterFile);
        // Start from a clean file: no torn tail for new lines to be glued to, no delivered history.
        size = await rewriteInbox(dir, file, key, found.undelivered);
        compactAt = Math.max(compactBytes, 2 * size);
        fh = await open(file, 'a', 0o600);
        for (const e of found.undelivered) undelivered.set(e.seq, e);
        nextSeq = found.lastSeq + 1;
      } catch (err) {
        await lock?.release();
        lock = undefined;
        state = 'new';
        throw err;
      }
      state = 'open';
      logger.info({ dir, replaying: undelivered.size }, 'decision inbox open');
      forwarder.push(undelivered.values());
    },
    async close() {
      if (state !== 'open') return;
      state = 'closing';
      clearTimeout(compactTimer);
      // Deliveries in flight are recorded until stop() resolves; entries waiting for a retry or
      // never sent stay in the file and are replayed at the next start.
      const left = await forwarder.stop(options.closeTimeoutMs ?? 10_000);
      if (left > 0) logger.warn({ inFlight: left }, 'inbox closing with deliveries in flight');
      // Clicks accepted before close are written; then markers; then the file is emptied if
      // everything was delivered.
      await drainWriter();
      if (undelivered.size === 0 && size > 0 && !broken) compactWanted = true;
      await drainWriter();
      if (fh && !broken) {
        await sync(fh).catch((err: unknown) =>
          logger.warn({ err }, 'inbox: last delivery markers not synced (may be sent again)'),
        );
      }
      await fh?.close();
      fh = undefined;
      state = 'closed';
      await lock?.release();
      logger.info({ undelivered: undelivered.size }, 'decision inbox closed');
    },
  };
}
