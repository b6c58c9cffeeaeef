// The inbox's forwarder: hands accepted entries to `deliver` (the Temporal signal) with bounded
// concurrency, and retries a failed delivery with capped exponential backoff and jitter. Failures
// `isTransient` calls transient (Temporal unreachable) are retried for as long as they last; after
// `maxAttempts` other failures an entry is given up (`onDeadLetter`). The other drops are the ones
// `deliver` itself treats as final by resolving (signalDecision: a finished or unknown workflow).
// While `holdMs` says a burst of clicks is still being acknowledged, it holds deliveries back, so
// the signals and the work they set off do not slow the acks down. It knows nothing of files.
import type { Logger } from '../../log.ts';
import type { InboxEntry } from './file.ts';

/** Options of a forwarder. */
export interface ForwarderOptions {
  deliver: (entry: InboxEntry) => Promise<void>;
  logger: Logger;
  /** Called once per entry `deliver` resolved for, unless the forwarder was stopped by then. */
  onDelivered(entry: InboxEntry): void;
  /** Called once per entry given up after `maxAttempts` failures that were not transient. */
  onDeadLetter(entry: InboxEntry, err: unknown, attempts: number): void;
  /** Failures that do not count as attempts (default: none). */
  isTransient?: (err: unknown) => boolean;
  maxAttempts: number;
  concurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How much longer to hold deliveries back (ms; 0 or less: send now). */
  holdMs(): number;
}

/** A running forwarder. */
export interface Forwarder {
  push(entries: Iterable<InboxEntry>): void;
  /** Send every entry waiting for a retry now (the target is reachable again). */
  retryNow(): void;
  /** Start nothing new, wait up to `ms` for deliveries in flight; resolves with those left. */
  stop(ms: number): Promise<number>;
  readonly retries: number;
}

/** Create a forwarder (idle until entries are pushed). */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const { deliver, logger, concurrency, retryBaseMs, retryMaxMs } = options;
  const ready: InboxEntry[] = [];
  /** Per entry: failures that count toward maxAttempts, and all failures (for the backoff). */
  const failures = new Map<number, { counted: number; all: number }>();
  const timers = new Map<NodeJS.Timeout, InboxEntry>();
  let inFlight = 0;
  let retries = 0;
  let running = true;
  let recording = true;
  let onIdle: (() => void) | undefined;
  let holdTimer: NodeJS.Timeout | undefined;

  function pump(): void {
    if (!running || ready.length === 0 || holdTimer) return;
    const hold = options.holdMs();
    if (hold > 0) {
      holdTimer = setTimeout(() => {
        holdTimer = undefined;
        pump();
      }, hold);
      return;
    }
    while (running && inFlight < concurrency && ready.length > 0) {
      inFlight++;
      void send(ready.shift() as InboxEntry);
    }
  }

  async function send(entry: InboxEntry): Promise<void> {
    try {
      await deliver(entry);
      failures.delete(entry.seq);
      // Too late to record once stopped: the entry is replayed at the next start, and workflows
      // dedupe decisions by decisionId.
      if (recording) options.onDelivered(entry);
    } catch (err) {
      const transient = options.isTransient?.(err) ?? false;
      const before = failures.get(entry.seq) ?? { counted: 0, all: 0 };
      const seen = { counted: before.counted + (transient ? 0 : 1), all: before.all + 1 };
      const attempt = seen.counted;
      failures.set(entry.seq, seen);
      if (attempt >= options.maxAttempts) {
        failures.delete(entry.seq);
        if (recording) options.onDeadLetter(entry, err, attempt);
        return;
      }
      retries++;
      const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(30, seen.all - 1));
      const delay = Math.round(backoff * (0.5 + Math.random() / 2));
      logger.warn(
        {
          err,
          workflowId: entry.workflowId,
          approver: entry.decision.approver.displayName,
          attempt,
          transient,
          retryInMs: delay,
        },
        'decision delivery failed; will retry',
      );
      if (running) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          ready.push(entry);
          pump();
        }, delay);
        timers.set(timer, entry);
      }
    } finally {
      inFlight--;
      if (inFlight === 0) onIdle?.();
      pump();
    }
  }

  return {
    push(entries) {
      ready.push(...entries);
      pump();
    },
    retryNow() {
      if (!running) return;
      for (const [timer, entry] of timers) {
        clearTimeout(timer);
        ready.push(entry);
      }
      timers.clear();
      pump();
    },
    async stop(ms) {
      running = false;
      clearTimeout(holdTimer);
      for (const t of timers.keys()) clearTimeout(t);
      timers.clear();
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((r) => (onIdle = r)),
          new Promise<void>((r) => (timer = setTimeout(r, ms))),
        ]);
        clearTimeout(timer);
      }
      recording = false;
      return inFlight;
    },
    get retries() {
      return retries;
    },
  };
}
