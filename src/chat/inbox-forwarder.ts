// The inbox's forwarder: hands accepted entries to `deliver` (a Temporal signal, or a click through
// the Chat SDK, which ends in one) with bounded concurrency, and retries a failed delivery with
// capped exponential backoff and jitter until it succeeds. It never gives up on an entry: the only drops are the ones `deliver` itself treats as
// final by resolving (signalDecision: a finished or unknown workflow). While `holdMs` says a burst
// of clicks is still being acknowledged, it holds deliveries back, so the signals and the work they
// set off do not slow the acks down. It knows nothing of files.
import type { Logger } from '../log.ts';
import type { InboxEntry } from './inbox-file.ts';

/** Options of a forwarder. */
export interface ForwarderOptions {
  deliver: (entry: InboxEntry) => Promise<void>;
  logger: Logger;
  /** Called once per entry `deliver` resolved for, unless the forwarder was stopped by then. */
  onDelivered(entry: InboxEntry): void;
  concurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How much longer to hold deliveries back (ms; 0 or less: send now). */
  holdMs(): number;
}

/** A running forwarder. */
export interface Forwarder {
  push(entries: Iterable<InboxEntry>): void;
  /** Start nothing new, wait up to `ms` for deliveries in flight; resolves with those left. */
  stop(ms: number): Promise<number>;
  readonly retries: number;
}

/** Create a forwarder (idle until entries are pushed). */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const { deliver, logger, concurrency, retryBaseMs, retryMaxMs } = options;
  const ready: InboxEntry[] = [];
  const failures = new Map<number, number>();
  const timers = new Set<NodeJS.Timeout>();
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
      const attempt = (failures.get(entry.seq) ?? 0) + 1;
      failures.set(entry.seq, attempt);
      retries++;
      const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1));
      const delay = Math.round(backoff * (0.5 + Math.random() / 2));
      logger.warn(
        {
          err,
          workflowId: entry.workflowId,
          approver: entry.decision?.approver.displayName,
          platform: entry.click?.platform,
          attempt,
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
        timers.add(timer);
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
    async stop(ms) {
      running = false;
      clearTimeout(holdTimer);
      for (const t of timers) clearTimeout(t);
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
