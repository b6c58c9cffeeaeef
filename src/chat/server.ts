// The webhook server: node:http in front of the Chat SDK. It caps body size. An approval click,
// when `clicks` is given (workers/webhook.ts: the local inbox), is verified as the adapter would,
// kept durably as received and answered; the inbox hands it to the Chat SDK afterwards. Every
// other request goes to the platform's adapter, and is answered once any decision it carried is
// accepted by `onDecision`. Either way a failure is a 5xx the platform retries instead of a
// silently lost click. Slow work (editing cards) belongs to the workflow, not here.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import { readBody, send } from '../http.ts';
import type { Logger } from '../log.ts';
import { approvalBot, type ApprovalBot } from './bot.ts';
import { recognizeClick } from './click-shape.ts';
import type { StoredClick } from './inbox-file.ts';
import { createChatPlatforms } from './platforms.ts';
import { createReceiver, type ChatReceiver, type OnDecision } from './receiver.ts';
import type { TeamsAdapterConfig } from '@chat-adapter/teams';

/** Options of the chat webhook server. */
export interface ChatServerOptions {
  config: Config;
  onDecision: OnDecision;
  logger: Logger;
  /** Longest wait for `onDecision` before acknowledging anyway (ms). */
  ackTimeoutMs?: number;
  /** Outbound Teams token factory override (tests). */
  teamsToken?: TeamsAdapterConfig['token'];
  /**
   * Where approval clicks go once verified: acknowledged as soon as this resolves (the local
   * inbox: fsynced), handed to the Chat SDK afterwards (`bot.replay`). Without it, every request
   * goes through the Chat SDK before the answer.
   */
  clicks?: { acceptClick(workflowId: string, click: StoredClick): Promise<void> };
}

/** A running (or ready to run) chat webhook server. */
export interface ChatServer {
  bot: ApprovalBot;
  receiver: ChatReceiver;
  /** Start listening; resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Build the bot and its HTTP server (not yet listening). */
export async function createChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const { config, logger } = options;
  const platforms = await createChatPlatforms({
    config,
    logger,
    ...(options.teamsToken ? { teamsToken: options.teamsToken } : {}),
  });
  const bot = approvalBot(platforms, config);
  const receiver = createReceiver(platforms, options.onDecision, logger);
  const ackTimeoutMs = options.ackTimeoutMs ?? 4000;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'webhook handler failed');
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      send(res, 200, { ok: true, teams: bot.teamsMode, slack: bot.slackEnabled });
      return;
    }
    const platform =
      path === '/api/webhooks/teams' ? 'teams' : path === '/api/webhooks/slack' ? 'slack' : null;
    if (!platform) return send(res, 404, { error: 'not_found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    const webhook = bot.chat.webhooks[platform];
    if (!webhook) return send(res, 503, { error: `${platform}_not_configured` });
    const body = await readBody(req, config.AIRLOCK_WEBHOOK_MAX_BODY);
    if (body === null) {
      res.setHeader('connection', 'close');
      return send(res, 413, { error: 'payload_too_large' });
    }
    if (platform === 'teams' && !isJson(body)) return send(res, 400, { error: 'invalid_json' });
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string') headers.set(k, v);
      else if (Array.isArray(v)) headers.set(k, v.join(', '));
    }
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: 'POST',
      headers,
      body,
    });
    const contentType = headers.get('content-type') ?? '';
    const click = options.clicks && recognizeClick(platform, contentType, body);
    if (options.clicks && click) {
      // Verified exactly as the adapter would, kept durably as received, then acknowledged; the
      // Chat SDK turns it into a decision from the inbox.
      if (!(await receiver.verifyRequest(platform, request, body))) {
        return send(res, 401, { error: 'unauthorized' });
      }
      try {
        await options.clicks.acceptClick(click.workflowId, {
          platform,
          contentType,
          body,
          receivedAt: new Date().toISOString(),
          deliveryId: click.deliveryId,
        });
      } catch (err) {
        logger.error({ err, platform }, 'click not recorded; the platform may retry');
        return send(res, 503, { error: 'decision_not_recorded' });
      }
      if (!click.invoke) return void res.writeHead(200).end();
      return send(res, 200, {
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: receivedText,
      });
    }
    const response = await receiver.handle(platform, request, ackTimeoutMs);
    if (response.outcome === 'failed') return send(res, 503, { error: 'decision_not_recorded' });
    if (response.outcome === 'timeout') {
      logger.warn({ platform }, 'acknowledged before onDecision finished');
    }
    let text = response.text;
    const type = response.contentType;
    // Adapters answer errors in plain text ("Unauthorized", "Invalid JSON"); ours are JSON.
    if (response.status >= 400 && !type.includes('json')) {
      return send(res, response.status, { error: text || `http_${response.status}` });
    }
    if (platform === 'teams') text = fixInvokeAck(body, response.status, text);
    res.writeHead(response.status, type ? { 'content-type': type } : {});
    res.end(text.length > 0 ? text : undefined);
  }

  return {
    bot,
    receiver,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.AIRLOCK_WEBHOOK_PORT, config.AIRLOCK_WEBHOOK_HOST, () => {
          const port = (server.address() as AddressInfo).port;
          logger.info({ host: config.AIRLOCK_WEBHOOK_HOST, port }, 'chat webhook server listening');
          resolve(port);
        });
      }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await bot.chat.shutdown();
    },
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
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
