// A durable local inbox for approval decisions: the webhook acknowledges a click once its verified,
// signed decision is fsynced to local disk (writer.ts), not once Temporal took it (a second
// for 200 signals at once, forever while Temporal is down). A forwarder (forwarder.ts) hands
// them on with retries, after a burst's acks (burst.ts); delivery markers make a restart
// replay exactly the undelivered ones. The backlog is bounded (`maxPending`: past it clicks are
// refused, the platform retries); a decision that keeps failing goes to dead-letters.jsonl, lines
// that fail their check (auth.ts) to tampered.jsonl, in the same dir.
import { mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config.ts';
import { AirlockError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { ApprovalDecision } from '../../../workflows/sensitive-action/messages.ts';
import type { VerifiedClick } from './clicks.ts';
import { createBurstClock } from './burst.ts';
import { createForwarder } from './forwarder.ts';
import { inboxKey } from './auth.ts';
import { appendDurably, countLines, readInbox, type InboxEntry } from './file.ts';
import { lockDir, type DirLock } from './lock.ts';
import { createInboxWriter } from './writer.ts';

/** Hands a kept decision on (the Temporal signal); resolving means delivered or finally dropped. */
export type Deliver = (workflowId: string, decision: ApprovalDecision) => Promise<void>;

/** Options of the decision inbox. */
export interface DecisionInboxOptions {
  /** Directory of the inbox file and its lock; one process at a time (others are refused). */
  dir: string;
  /** Hands a decision on (the Temporal signal); resolving means delivered or finally dropped. */
  deliver: Deliver;
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

/** The inbox: `accept` is what the webhook server keeps each verified click with. */
export interface DecisionInbox {
  /**
   * Keep a verified click (its workflow checked at the edge); resolves once it is fsynced; rejects
   * with AirlockError `inbox_full` or `inbox_closed` (answer 503: the platform retries).
   */
  accept: (click: VerifiedClick) => Promise<void>;
  /** Retry at once every delivery waiting for its backoff (Temporal is reachable again). */
  retryNow(): void;
  /** Lock the directory, load what is undelivered, and start forwarding it. */
  start(): Promise<void>;
  /** Refuse new clicks, let deliveries in flight finish, write markers, release the directory. */
  close(): Promise<void>;
  stats(): InboxStats;
  /** True while a click would be kept now: open, its file writable, the backlog not full. */
  accepting(): boolean;
}

/** The inbox directory the config selects: AIRLOCK_INBOX_DIR, or inbox/ in the data folder. */
export function inboxDir(config: Pick<Config, 'AIRLOCK_INBOX_DIR' | 'AIRLOCK_DATA_DIR'>): string {
  return config.AIRLOCK_INBOX_DIR ?? join(config.AIRLOCK_DATA_DIR, 'inbox');
}

/** Create an inbox (not started). */
export function createDecisionInbox(options: DecisionInboxOptions): DecisionInbox {
  const { dir, logger } = options;
  const file = join(dir, 'inbox.jsonl');
  const deadLetterFile = join(dir, 'dead-letters.jsonl');
  const maxPending = options.maxPending ?? 10_000;
  const stats = { delivered: 0, deadLetters: 0 };
  const burst = createBurstClock(options.burstQuietMs ?? 50, options.maxHoldMs ?? 500);

  let state: 'new' | 'starting' | 'open' | 'closing' | 'closed' = 'new';
  let lock: DirLock | undefined;
  let nextSeq = 1;
  const writer = createInboxWriter({
    dir,
    file,
    logger,
    sync: options.sync ?? ((fh: FileHandle) => fh.datasync()),
    compactIdleMs: options.compactIdleMs ?? 1000,
    compactBytes: options.compactBytes ?? 4 * 1024 * 1024,
    isOpen: () => state === 'open',
    onDurable: (entries) => forwarder.push(entries),
  });
  const forwarder = createForwarder({
    deliver: (entry) => options.deliver(entry.workflowId, entry.decision),
    logger,
    maxAttempts: options.maxAttempts ?? 20,
    ...(options.isTransient ? { isTransient: options.isTransient } : {}),
    concurrency: options.concurrency ?? 64,
    retryBaseMs: options.retryBaseMs ?? 200,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    holdMs: () => burst.holdMs(),
    onDelivered: (entry) => {
      stats.delivered++;
      writer.markDone(entry.seq);
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
    stats.deadLetters++;
    writer.markDone(entry.seq);
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
  }

  function accept({ workflowId, decision }: VerifiedClick): Promise<void> {
    const { broken, queued } = writer.state();
    if (state !== 'open' || broken) {
      const why = broken ? 'its file cannot be written' : state;
      return Promise.reject(
        new AirlockError('inbox_closed', `the decision inbox is ${why}; click not accepted`),
      );
    }
    if (writer.undelivered.size + queued >= maxPending) {
      return Promise.reject(
        new AirlockError(
          'inbox_full',
          `${maxPending} decisions are waiting for Temporal (AIRLOCK_INBOX_MAX_PENDING); click not accepted`,
        ),
      );
    }
    burst.click();
    return writer.record({ seq: nextSeq++, workflowId, decision });
  }

  return {
    accept,
    accepting: () => {
      const { broken, queued } = writer.state();
      return state === 'open' && !broken && writer.undelivered.size + queued < maxPending;
    },
    retryNow: () => forwarder.retryNow(),
    stats: () => {
      const { accepted, syncs, queued } = writer.state();
      return {
        ...stats,
        accepted,
        syncs,
        pending: writer.undelivered.size + queued,
        retries: forwarder.retries,
      };
    },
    async start() {
      if (state !== 'new') throw new AirlockError('inbox_started', 'the inbox was already started');
      state = 'starting';
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        lock = await lockDir(dir);
        const key = await inboxKey(dir, options.key ?? null);
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
        await writer.open(key, found.undelivered);
        nextSeq = found.lastSeq + 1;
      } catch (err) {
        await lock?.release();
        lock = undefined;
        state = 'new';
        throw err;
      }
      state = 'open';
      logger.info({ dir, replaying: writer.undelivered.size }, 'decision inbox open');
      forwarder.push(writer.undelivered.values());
    },
    async close() {
      if (state !== 'open') return;
      state = 'closing';
      writer.cancelCompaction();
      // Deliveries in flight are recorded until stop() resolves; entries waiting for a retry or
      // never sent stay in the file and are replayed at the next start.
      const left = await forwarder.stop(options.closeTimeoutMs ?? 10_000);
      if (left > 0) logger.warn({ inFlight: left }, 'inbox closing with deliveries in flight');
      // Clicks accepted before close are written; then markers; then the file is emptied if
      // everything was delivered.
      await writer.close();
      state = 'closed';
      await lock?.release();
      logger.info({ undelivered: writer.undelivered.size }, 'decision inbox closed');
    },
  };
}
