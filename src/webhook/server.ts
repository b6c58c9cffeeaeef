// The webhook's HTTP server: node:http in front of the chat platforms. It caps body size and hands
// each request to its platform's edge (teams.ts, slack.ts), which reads an approval click once into
// a typed value and authenticates it. A click is decided (inbox/clicks.ts: its workflow checked
// once, here), signed, and handed to `accept` (the inbox: fsynced) before it is answered; a click
// that cannot be kept is a 503 the platform retries, never a silently lost click. Every other
// request goes through the Chat SDK (chat/agents/receiver.ts). Slow work (editing cards) belongs to the
// workflow, not here. startWebhook (start.ts) is how it is run.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import { readBody, send, sendTooLarge, serverOptions } from '../http.ts';
import type { Logger } from '../log.ts';
import type { DecisionSigner } from '../receipts/signer.ts';
import type { ChatPlatforms } from '../chat/platforms.ts';
import type { ChatReceiver } from '../chat/agents/receiver.ts';
import type { BotFrameworkVerifier } from './auth/teams.ts';
import { decideClick, type ClickRead, type VerifiedClick } from './inbox/clicks.ts';
import { checkSlackRequest } from './slack.ts';
import { createTeamsEdge } from './teams.ts';

/** Options of the webhook's HTTP server. */
export interface WebhookServerOptions {
  config: Config;
  logger: Logger;
  platforms: ChatPlatforms;
  /** Production Teams mode: the Bot Framework verifier the edge checks every activity with. */
  teamsAuth: BotFrameworkVerifier | undefined;
  receiver: ChatReceiver;
  /** Keeps a verified click, its decision signed; the click is answered once this resolves. */
  accept: (click: VerifiedClick) => Promise<void>;
  signer: DecisionSigner | undefined;
  /** What `GET /healthz` adds to `{ ok, teams, slack }`. */
  health: () => Record<string, unknown>;
  /** Whether a click would be kept now (`GET /readyz`: 200, else 503), and what it depends on. */
  ready: () => { ready: boolean } & Record<string, unknown>;
  /** Longest wait for the Chat SDK's handlers of a non-click request before answering (ms). */
  ackTimeoutMs?: number;
}

/** A webhook HTTP server (not yet listening). */
export interface WebhookServer {
  /** Start listening; resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Build the HTTP server over the platforms and the decision inbox. */
export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const { config, logger, platforms, receiver } = options;
  const ackTimeoutMs = options.ackTimeoutMs ?? 4000;
  const teamsEdge = createTeamsEdge(config, logger, options.teamsAuth);
  const slackSignature = platforms.verifiers.slack;
  const timeouts = {
    headersMs: config.AIRLOCK_HTTP_HEADERS_TIMEOUT_MS,
    requestMs: config.AIRLOCK_HTTP_REQUEST_TIMEOUT_MS,
  };

  const server = createServer(serverOptions(timeouts), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'webhook handler failed');
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const { teamsMode: teams, slackEnabled: slack } = platforms;
      return send(res, 200, { ok: true, teams, slack, ...options.health() });
    }
    if (req.method === 'GET' && path === '/readyz') {
      const { ready, ...detail } = options.ready();
      return send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...detail });
    }
    const platform =
      path === '/api/webhooks/teams' ? 'teams' : path === '/api/webhooks/slack' ? 'slack' : null;
    if (!platform) return send(res, 404, { error: 'not_found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    if (!platforms.chat.webhooks[platform]) {
      return send(res, 503, { error: `${platform}_not_configured` });
    }
    const early = platform === 'teams' ? teamsEdge.checkRequest(req) : null;
    if (early) return send(res, early.status, { error: early.error, message: early.message });
    const body = await readBody(req, config.AIRLOCK_WEBHOOK_MAX_BODY);
    if (body === null) return sendTooLarge(res);
    const request = (): Request => toRequest(req, body);
    // The body is parsed, and a click authenticated, once, at the platform's edge.
    const edge =
      platform === 'teams'
        ? await teamsEdge.checkActivity(req, body)
        : await checkSlackRequest(headerOf(req, 'content-type'), body, request, slackSignature);
    if (edge.refused) {
      const { status, error, message } = edge.refused;
      return send(res, status, { error, message });
    }
    if (edge.click) return answerClick(res, edge.click);
    // Production Teams: the edge verified this activity's token; the adapter need not again.
    const verified = platform === 'teams' && options.teamsAuth !== undefined;
    const answer = await receiver.handle(platform, request(), ackTimeoutMs, verified);
    if (answer.outcome === 'failed') return send(res, 503, { error: 'not_handled' });
    if (answer.outcome === 'timeout')
      logger.warn({ platform }, 'answered before handlers finished');
    // Adapters answer errors in plain text ("Unauthorized", "Invalid JSON"); ours are JSON.
    if (answer.status >= 400 && !answer.contentType.includes('json')) {
      return send(res, answer.status, { error: answer.text || `http_${answer.status}` });
    }
    const text =
      platform === 'teams' ? fixInvokeAck(body, answer.status, answer.text) : answer.text;
    res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
    res.end(text.length > 0 ? text : undefined);
  }

  /** An authenticated click: decide, sign, keep (fsynced), answer, then log it. */
  async function answerClick(res: ServerResponse, read: ClickRead): Promise<void> {
    const result = decideClick(read);
    if (!result.ok) {
      // Nothing a retry could change: acknowledged, so the platform does not resend it.
      if (result.notAction)
        logger.warn(result.notAction, 'click names no sensitive action; ignored');
      else logger.warn({ actionId: read.actionId, reason: result.reason }, 'ignored a card click');
      return acknowledge(res, read);
    }
    const { workflowId } = result.click;
    const click = options.signer
      ? { workflowId, decision: options.signer.sign(workflowId, result.click.decision) }
      : result.click;
    try {
      await options.accept(click);
    } catch (err) {
      logger.error({ err, workflowId }, 'click not recorded; the platform may retry');
      return send(res, 503, { error: 'decision_not_recorded' });
    }
    acknowledge(res, read);
    // After the answer: the log line is not something the clicker should wait for.
    const { decision } = click;
    logger.info(
      {
        workflowId,
        decisionId: decision.decisionId,
        choice: decision.choice,
        approver: decision.approver.displayName,
      },
      'approval card clicked',
    );
  }

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.AIRLOCK_WEBHOOK_PORT, config.AIRLOCK_WEBHOOK_HOST, () => {
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The web Request the Chat SDK takes, for a node:http request whose body was read. */
function toRequest(req: IncomingMessage, body: string): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string') headers.set(k, v);
    else if (Array.isArray(v)) headers.set(k, v.join(', '));
  }
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: 'POST',
    headers,
    body,
  });
}

const headerOf = (req: IncomingMessage, name: string): string => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

/** Answer a click: an invoke response for Teams invokes, an empty 200 for everything else. */
function acknowledge(res: ServerResponse, click: Pick<ClickRead, 'invoke'>): void {
  if (!click.invoke) return void res.writeHead(200).end();
  send(res, 200, {
    statusCode: 200,
    type: 'application/vnd.microsoft.activity.message',
    value: receivedText,
  });
}

/** What Teams shows the clicker once an invoke is answered. */
const receivedText = 'Your decision was received.';

/**
 * Teams shows "Unable to reach app" and retries an `adaptiveCard/action` invoke whose response
 * value is empty, which the adapter sends (vercel/chat#731). Give it a non-empty message.
 */
export function fixInvokeAck(requestBody: string, status: number, text: string): string {
  if (status !== 200 || !text.includes('"value":""')) return text;
  try {
    const activity = JSON.parse(requestBody) as { type?: unknown; name?: unknown };
    if (activity.type !== 'invoke' || activity.name !== 'adaptiveCard/action') return text;
    const ack = JSON.parse(text) as Record<string, unknown>;
    return JSON.stringify({ ...ack, value: receivedText });
  } catch {
    return text;
  }
}
