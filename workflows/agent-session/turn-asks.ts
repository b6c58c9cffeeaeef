// What an agent asks for during a turn (sensitive actions, questions to other agents), handled
// alike: only the running turn may ask; the same ask repeated in the same turn (a retried turn)
// gets the same answer; a turn may ask at most `max` times; and a child is given a short hold to
// settle before the agent is answered. One home for the bookkeeping actions.ts and asks.ts share.
import { CancellationScope, sleep, workflowInfo } from '@temporalio/workflow';

/** An ask made during turn `turn`. */
export interface TurnAsk {
  turn: number;
}

/** How one kind of ask is handled. */
export interface TurnAskOptions<Ask extends TurnAsk, Answer> {
  /** The plural noun for messages, e.g. `actions`. */
  what: string;
  max: number;
  currentTurn(): number | null;
  /** What makes two asks the same. */
  key(ask: Ask): unknown[];
  /** The answer when a turn asks more than `max` times. */
  refuse(reason: string): Answer;
  /** Start the `n`th ask of its turn. */
  start(ask: Ask, n: number): Promise<Answer>;
}

/** The update's validator and handler, and whether no ask is still being started. */
export function turnAsks<Ask extends TurnAsk, Answer>(options: TurnAskOptions<Ask, Answer>) {
  const answers = new Map<string, Promise<Answer>>();
  const perTurn = new Map<number, number>();
  let inFlight = 0;
  return {
    validate: (ask: Ask): void => {
      if (ask.turn !== options.currentTurn())
        throw new Error(
          `turn ${ask.turn} is not running; ${options.what} are asked for during a turn`,
        );
    },
    handle: (ask: Ask): Promise<Answer> => {
      const key = JSON.stringify(options.key(ask));
      const known = answers.get(key);
      if (known) return known;
      const n = (perTurn.get(ask.turn) ?? 0) + 1;
      perTurn.set(ask.turn, n);
      if (n > options.max)
        return Promise.resolve(
          options.refuse(`more than ${options.max} ${options.what} in one turn`),
        );
      inFlight += 1;
      const answer = options.start(ask, n).finally(() => (inFlight -= 1));
      answers.set(key, answer);
      return answer;
    },
    idle: (): boolean => inFlight === 0,
  };
}

/** `settled` if it settles within `ms`, else null (the timer is cancelled either way). */
export async function holdFor<T>(settled: Promise<T>, ms: number): Promise<T | null> {
  return CancellationScope.cancellable(async () => {
    const first = await Promise.race([settled, sleep(ms).then(() => null)]);
    CancellationScope.current().cancel();
    return first;
  }).catch(() => null);
}

/** A short id of this session's first run, so ids of a restarted session never repeat. */
export const runTag = (): string =>
  workflowInfo().firstExecutionRunId.replace(/-/g, '').slice(0, 8);
