// The conversation endpoints: `GET /v1/inbox?wait=ms` (the runner's long-poll: 200 `{ turn, items }`
// or 204 after the wait), `POST /v1/turns/<turn>/done` (the report ending the turn, with its reply),
// `POST /v1/messages` (progress for the user, numbered within the turn; MCP's `send_message` goes
// through the same `sendProgress`) and `GET /v1/agent`. A poll whose client is gone when its batch
// arrives puts the batch back, so a turn's input is never lost on the socket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import { GatewayError, jsonEndpoint, sendJson } from './edge.ts';
import type { TurnInbox } from './inbox.ts';
import type { GatewayAgent, GatewayLimits, ProgressMessage, RunnerSettings } from './types.ts';

/** A progress message's body (the route's and the `send_message` tool's arguments). */
export const messageInput = z.strictObject({ text: z.string().trim().min(1).max(40_000) });
const doneInput = z.strictObject({ reply: z.string().max(200_000) });

/** What the conversation endpoints need. */
export interface MessagesDeps {
  agent: GatewayAgent;
  runner: RunnerSettings;
  sessionId: string;
  limits: GatewayLimits;
  logger: Logger;
  inbox: TurnInbox;
  progress: ProgressCounter;
  /** Aborted when the gateway closes: pending polls end at once. */
  closing: AbortSignal;
  sendMessage(message: ProgressMessage): Promise<void>;
}

/**
 * Numbers progress messages within a turn from 1. A turn delivered again numbers from 1 again, and
 * a number whose message failed is given back, so a retried turn re-sending its messages gets the
 * same (turn, seq) keys and the poster can drop the duplicates.
 */
export class ProgressCounter {
  private turn: string | null = null;
  private count = 0;

  /** Turn `turn` was (re)delivered to the runner. */
  restart(turn: string | null): void {
    this.turn = turn;
    this.count = 0;
  }

  /** The next number for a message in `turn`. */
  next(turn: string | null): number {
    if (turn !== this.turn) this.restart(turn);
    return ++this.count;
  }

  /** The message numbered `seq` was not delivered: its number is used again. */
  giveBack(turn: string | null, seq: number): void {
    if (turn === this.turn && seq === this.count) this.count--;
  }
}

/** What sending a progress message needs (the route's deps, and the MCP `send_message` tool's). */
export type ProgressDeps = Pick<
  MessagesDeps,
  'agent' | 'sessionId' | 'logger' | 'inbox' | 'progress' | 'sendMessage'
>;

/** Send one progress message for the turn in flight, numbered within it. */
export async function sendProgress(text: string, deps: ProgressDeps): Promise<void> {
  const turn = deps.inbox.current ?? null;
  const seq = deps.progress.next(turn);
  try {
    await deps.sendMessage({ agentId: deps.agent.id, sessionId: deps.sessionId, text, turn, seq });
  } catch (err) {
    deps.progress.giveBack(turn, seq);
    deps.logger.error({ err, agent: deps.agent.id, turn, seq }, 'progress message not delivered');
    throw new GatewayError(502, 'message_failed', 'The message could not be delivered; try again.');
  }
}

/** Handle `POST /v1/messages`. */
export const handleMessage = jsonEndpoint(messageInput, async (input, res, deps: MessagesDeps) => {
  await sendProgress(input.text, deps);
  sendJson(res, 200, { status: 'sent' });
});

/** Handle `POST /v1/turns/<turn>/done`. */
export const handleTurnDone = jsonEndpoint(
  doneInput,
  (input, res, deps: MessagesDeps, turn: string) => {
    if (!deps.inbox.complete(turn, { reply: input.reply }))
      throw new GatewayError(404, 'turn_not_found', `No turn ${turn} is waiting.`);
    deps.logger.info({ turn }, 'turn done');
    sendJson(res, 200, { status: 'done' });
  },
);

/** Handle `GET /v1/inbox?wait=ms`. */
export async function handleInbox(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: MessagesDeps,
): Promise<void> {
  const raw = url.searchParams.get('wait') ?? '0';
  if (!/^\d{1,9}$/.test(raw))
    throw new GatewayError(400, 'invalid_request', 'wait must be a whole number of milliseconds.');
  const waitMs = Math.min(Number(raw), deps.limits.inboxMaxWaitMs);
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  res.on('close', onClose);
  const batch = await deps.inbox.next(waitMs, AbortSignal.any([gone.signal, deps.closing]));
  res.off('close', onClose);
  if (!batch) {
    if (!res.destroyed) res.writeHead(204).end();
    return;
  }
  if (res.destroyed || deps.closing.aborted) {
    deps.inbox.requeue(batch);
    return;
  }
  deps.progress.restart(batch.turn);
  deps.logger.info({ turn: batch.turn, items: batch.items.length }, 'turn delivered');
  sendJson(res, 200, { turn: batch.turn, items: batch.items });
}

/** Handle `GET /v1/agent`: the runner's settings. */
export function handleAgent(res: ServerResponse, deps: MessagesDeps): Promise<void> {
  sendJson(res, 200, deps.runner);
  return Promise.resolve();
}
