// The turns a session hands to the agent runner, which long-polls them through `GET /v1/inbox`
// and reports each one done through `POST /v1/turns/<turn>/done`. One batch is one turn (two turns'
// items are never merged). A poll given up (client gone, gateway closing) takes nothing, and a
// batch that could not be delivered is put back at the front, so a turn is never lost between the
// queue and the socket. Turn ids are the session's: starting one again is the same turn.

/** One piece of turn input (a user message, an action's outcome…); JSON-serialisable. */
export type InboxItem = Record<string, unknown>;

/** One turn's input as the runner receives it. */
export interface TurnBatch {
  turn: string;
  items: InboxItem[];
}

/** What the runner reports when a turn is done. */
export interface TurnReport {
  reply: string;
}

/** Where a gateway gets turns from and reports them done. */
export interface TurnInbox {
  /** The next turn, waiting up to `waitMs` for one; undefined when none came. */
  next(waitMs: number, signal: AbortSignal): Promise<TurnBatch | undefined>;
  /** Put an undelivered batch back at the front of the queue. */
  requeue(batch: TurnBatch): void;
  /** Called by the gateway when the runner reports turn `turn` done. False when no such turn is waiting. */
  complete(turn: string, report: TurnReport): boolean;
  /** The turn delivered to the runner and not yet done, if any. */
  readonly current: string | undefined;
}

/** An in-memory TurnInbox the session side (the turn activity) fills. */
export interface MemoryInbox extends TurnInbox {
  /** Queue a turn; resolves with the runner's report. Starting a turn id that is queued or in flight again returns the same promise (a retried activity in the same process). */
  startTurn(turn: string, items: InboxItem[]): Promise<TurnReport>;
  /** Reject the turn's promise (the activity gave up, the box died); it is dropped from the queue. */
  abandon(turn: string, reason: Error): void;
  /** The turn delivered to the runner and not yet done, if any. */
  readonly current: string | undefined;
  /** Turns queued and not yet taken by a poll. */
  readonly size: number;
}

interface Turn {
  items: InboxItem[];
  promise: Promise<TurnReport>;
  resolve(report: TurnReport): void;
  reject(reason: Error): void;
}

/** Create an empty in-memory inbox. */
export function createMemoryInbox(): MemoryInbox {
  // Every turn queued or in flight; `queue` orders the queued ones, `current` is the one in flight.
  const turns = new Map<string, Turn>();
  const queue: string[] = [];
  const waiters = new Set<() => void>();
  let current: string | undefined;

  // Wake one waiter; it takes the batch synchronously, so no two polls get the same turn.
  const wake = (): void => {
    const first = waiters.values().next();
    if (!first.done) first.value();
  };
  const take = (): TurnBatch | undefined => {
    // The runner works on one turn at a time and polls only between turns: a poll while a turn
    // is in flight means the runner let it go (it lost the gateway mid-turn, or restarted), so
    // that turn is delivered again first.
    if (current !== undefined) queue.unshift(current);
    current = undefined;
    const turn = queue.shift();
    const found = turn === undefined ? undefined : turns.get(turn);
    if (turn === undefined || !found) return undefined;
    current = turn;
    return { turn, items: found.items };
  };
  const drop = (turn: string): Turn | undefined => {
    const found = turns.get(turn);
    if (!found) return undefined;
    turns.delete(turn);
    const at = queue.indexOf(turn);
    if (at >= 0) queue.splice(at, 1);
    if (current === turn) current = undefined;
    return found;
  };

  return {
    get size() {
      return queue.length;
    },
    get current() {
      return current;
    },
    startTurn(turn, items) {
      const known = turns.get(turn);
      if (known) return known.promise;
      let resolve: (report: TurnReport) => void = () => undefined;
      let reject: (reason: Error) => void = () => undefined;
      const promise = new Promise<TurnReport>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      turns.set(turn, { items, promise, resolve, reject });
      queue.push(turn);
      wake();
      return promise;
    },
    complete(turn, report) {
      const found = drop(turn);
      found?.resolve(report);
      return found !== undefined;
    },
    abandon(turn, reason) {
      drop(turn)?.reject(reason);
    },
    requeue(batch) {
      // A turn done or abandoned meanwhile stays gone.
      if (!turns.has(batch.turn)) return;
      if (current === batch.turn) current = undefined;
      if (!queue.includes(batch.turn)) queue.unshift(batch.turn);
      wake();
    },
    next(waitMs, signal) {
      if (queue.length > 0 || current !== undefined) return Promise.resolve(take());
      if (signal.aborted || waitMs <= 0) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const done = (batch: TurnBatch | undefined): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          waiters.delete(onWake);
          resolve(batch);
        };
        const onWake = (): void => done(take());
        const onAbort = (): void => done(undefined);
        const timer = setTimeout(() => done(undefined), waitMs);
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.add(onWake);
      });
    },
  };
}
