// The conversation endpoints: `POST /v1/messages` (progress for the user while the agent works,
// handed to the injected `sendMessage`) and `GET /v1/inbox?wait=ms` (the runner's long-poll for the
// next turn's input: 200 with the batch, or 204 after the wait). A poll whose client is gone by the
// time its batch arrives puts the batch back, so a turn's input is never lost on the socket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import { GatewayError, readJson, sendJson } from './edge.ts';
import type { TurnInbox } from './inbox.ts';
import type { GatewayAgent, GatewayLimits } from './types.ts';

const messageInput = z.strictObject({ text: z.string().trim().min(1).max(40_000) });

/** What the message endpoints need. */
export interface MessagesDeps {
  agent: GatewayAgent;
  sessionId: string;
  limits: GatewayLimits;
  logger: Logger;
  inbox: TurnInbox;
  /** Aborted when the gateway closes: pending polls end at once. */
  closing: AbortSignal;
  sendMessage(message: { agentId: string; sessionId: string; text: string }): Promise<void>;
}

/** Handle `POST /v1/messages`. */
export async function handleMessage(
  req: IncomingMessage,
  res: ServerResponse,
  deps: MessagesDeps,
): Promise<void> {
  const input = await readJson(req, res, messageInput, deps.limits.maxBodyBytes);
  if (!input) return;
  try {
    await deps.sendMessage({ agentId: deps.agent.id, sessionId: deps.sessionId, text: input.text });
  } catch (err) {
    deps.logger.error({ err, agent: deps.agent.id }, 'progress message not delivered');
    throw new GatewayError(502, 'message_failed', 'The message could not be delivered; try again.');
  }
  sendJson(res, 200, { status: 'sent' });
}

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
  const items = await deps.inbox.next(waitMs, AbortSignal.any([gone.signal, deps.closing]));
  res.off('close', onClose);
  if (!items) {
    if (!res.destroyed) res.writeHead(204).end();
    return;
  }
  if (res.destroyed || deps.closing.aborted) {
    deps.inbox.requeue(items);
    return;
  }
  sendJson(res, 200, { items });
}
