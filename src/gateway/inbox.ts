// The queue a session fills with the next turn's input and the agent runner long-polls through
// `GET /v1/inbox`. A waiting poll takes everything queued at once (one batch = one turn); a poll
// given up (client gone, gateway closing) takes nothing, and a batch that could not be delivered is
// put back at the front, so input is never lost between the queue and the socket.

/** One piece of turn input (a user message, an action's outcome…); JSON-serialisable. */
export type InboxItem = Record<string, unknown>;

/** Where a gateway gets the next turn's input from. */
export interface TurnInbox {
  /** Everything queued, waiting up to `waitMs` for something to arrive; undefined when nothing did. */
  next(waitMs: number, signal: AbortSignal): Promise<InboxItem[] | undefined>;
  /** Put an undelivered batch back at the front of the queue. */
  requeue(items: InboxItem[]): void;
}

/** An in-memory TurnInbox with `push` for the session side. */
export interface MemoryInbox extends TurnInbox {
  push(...items: InboxItem[]): void;
  /** Items queued and not yet taken. */
  readonly size: number;
}

/** Create an empty in-memory inbox. */
export function createMemoryInbox(): MemoryInbox {
  const queue: InboxItem[] = [];
  const waiters = new Set<() => void>();
  const take = (): InboxItem[] => queue.splice(0, queue.length);
  return {
    get size() {
      return queue.length;
    },
    push(...items) {
      queue.push(...items);
      // Wake one waiter; it takes the whole batch synchronously, so no two polls share items.
      const first = waiters.values().next();
      if (!first.done) first.value();
    },
    requeue(items) {
      queue.unshift(...items);
      const first = waiters.values().next();
      if (!first.done) first.value();
    },
    next(waitMs, signal) {
      if (queue.length > 0) return Promise.resolve(take());
      if (signal.aborted || waitMs <= 0) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const done = (items: InboxItem[] | undefined): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          waiters.delete(wake);
          resolve(items);
        };
        const wake = (): void => done(take());
        const onAbort = (): void => done(undefined);
        const timer = setTimeout(() => done(undefined), waitMs);
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.add(wake);
      });
    },
  };
}
