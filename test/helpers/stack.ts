// The whole local stack for end-to-end tests: the action fixture (demo API, vault, policy, audit),
// the real webhook (startWebhook: inbox, then the Temporal signal), Microsoft's Agents Playground as Teams, and workers
// as child processes (so a test can SIGKILL one), all configured for the Playground mode.
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { createApprovalBot, type ApprovalBot } from '../../src/chat/bot.ts';
import { createCardSender } from '../../src/chat/card-sender.ts';
import { createConversationPoster } from '../../src/chat/agents/replies.ts';
import { startWebhook, type Webhook } from '../../src/webhook/start.ts';
import type { Config } from '../../src/config.ts';
import { loadConfig } from '../../src/config.ts';
import { startPlayground, type Playground } from '../../src/dev/playground.ts';
import { cardOf, PlaygroundClient, type PlaygroundEvent } from '../../src/dev/playground-client.ts';
import { createDeps } from '../../src/deps.ts';
import { temporalGrants } from '../../src/grants/grants.ts';
import { createLogger } from '../../src/log.ts';
import { createActivities } from '../../activities/index.ts';
import { createWorker } from '../../src/temporal/worker.ts';
import { actionFixture, type ActionFixture } from './actions.ts';
import { envFor, killProcess, runWorker, spawnWorker } from './temporal.ts';

export const GROUP_CHAT = 'airlock-approvals-chat';

/** A running stack. */
export interface Stack {
  fx: ActionFixture;
  config: Config;
  webhook: Webhook;
  webhookUrl: string;
  playground: Playground;
  pg: PlaygroundClient;
  /** Start a worker process; `overrides` change its configuration. */
  worker(overrides?: Partial<Config>): Promise<ChildProcess>;
  close(): Promise<void>;
}

/** Start the stack; `policyEdit` may rewrite the demo policy. */
export async function startStack(
  policyEdit?: (yaml: string) => string,
  overrides: Record<string, string> = {},
): Promise<Stack> {
  const fx = await actionFixture(policyEdit, overrides);
  const base = loadConfig({
    ...envFor(fx.config),
    AIRLOCK_TEAMS_PLAYGROUND: '1',
    AIRLOCK_WEBHOOK_PORT: '0',
    NODE_ENV: 'test',
  });
  const logger = createLogger({ level: 'warn', name: 'webhook' });
  const webhook = await startWebhook({ config: base, logger });
  const webhookUrl = webhook.url;
  const playground = await startPlayground({ webhookUrl: `${webhookUrl}/api/webhooks/teams` });
  const pg = new PlaygroundClient(playground.url);
  await pg.connect();
  const config = loadConfig({
    ...envFor(base),
    AIRLOCK_TEAMS_CONVERSATION_ID: GROUP_CHAT,
    AIRLOCK_TEAMS_SERVICE_URL: `${playground.url}/_connector`,
  });
  const workers: ChildProcess[] = [];
  return {
    fx,
    config,
    webhook,
    webhookUrl,
    playground,
    pg,
    worker: async (overrides = {}) => {
      const w = await spawnWorker({ ...config, ...overrides });
      workers.push(w);
      return w;
    },
    close: async () => {
      for (const w of workers) await killProcess(w, 'SIGTERM');
      pg.close();
      await playground.stop();
      await webhook.close();
      await fx.close();
    },
  };
}

/** The Approve/Reject actions of a card event. */
export function buttons(
  event: PlaygroundEvent,
): { title: string; data: Record<string, unknown> }[] {
  return (
    (cardOf(event)?.['actions'] as
      { title: string; data: Record<string, unknown> }[] | undefined) ?? []
  );
}

/** All text of a card event, for matching. */
export const cardText = (event: PlaygroundEvent): string => JSON.stringify(cardOf(event) ?? {});

/** Wait for the first pending card of `workflowId` posted into `conversationId`. */
export function cardPosted(
  pg: PlaygroundClient,
  workflowId: string,
  conversationId = GROUP_CHAT,
): Promise<PlaygroundEvent> {
  return pg.waitFor(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === conversationId &&
      cardText(e).includes(workflowId) &&
      buttons(e).length === 2,
  );
}

/** Wait for `workflowId`'s card in the group chat and click its Approve as `fromId`; the card. */
export async function approveInPlayground(
  pg: PlaygroundClient,
  workflowId: string,
  fromId = 'user-bob',
): Promise<PlaygroundEvent> {
  const card = await cardPosted(pg, workflowId);
  await pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: buttons(card)[0]?.data ?? {},
    fromId,
  });
  return card;
}

/** Wait for an edit of message `messageId` whose card text matches `pattern`. */
export function cardUpdated(
  pg: PlaygroundClient,
  messageId: string,
  pattern: RegExp,
): Promise<PlaygroundEvent> {
  return pg.waitFor(
    (e) =>
      e.action === 'updateMessage' &&
      e.message.messageId === messageId &&
      pattern.test(cardText(e)),
  );
}

/**
 * A worker in this process built as workers/main.ts builds it for a chat surface: cards through
 * the card sender and agent replies through the conversation poster, both on the Chat SDK's
 * adapters. `stop` drains it and closes its gateways (and the bot).
 */
export async function startChatWorker(
  config: Config,
  client: Client,
): Promise<{ bot: ApprovalBot; stop: () => Promise<void> }> {
  const logger = createLogger({ level: 'warn', name: 'worker' });
  const bot = await createApprovalBot({ config, logger });
  const deps = createDeps(config, createCardSender(bot, config, logger), {
    grants: temporalGrants(client),
    logger,
    client: () => Promise.resolve(client),
    poster: createConversationPoster(bot, bot.chat.getState(), logger),
  });
  const worker = await createWorker({ config, logger, activities: createActivities(deps) });
  const stopWorker = runWorker(worker);
  return {
    bot,
    stop: async () => {
      await stopWorker();
      await deps.gateways.closeAll();
      // The MCP servers the hub started (stdio children) end with the worker.
      await deps.mcp?.close();
    },
  };
}

/**
 * `base` with Slack on (requests signed with `secret`, the bot token `botToken`, Slack's API at
 * `apiUrl`) and the webhook on a free port.
 */
export function withSlack(base: Config, secret: string, botToken: string, apiUrl: string): Config {
  return loadConfig({
    ...envFor(base),
    AIRLOCK_SLACK_SIGNING_SECRET: secret,
    AIRLOCK_SLACK_BOT_TOKEN: botToken,
    AIRLOCK_SLACK_API_URL: apiUrl,
    AIRLOCK_WEBHOOK_PORT: '0',
  });
}

/**
 * POST `body` to the Slack webhook at `url` as Slack does: form-encoded (or `contentType`),
 * timestamped and signed with `secret` (or carrying `signature` as given, e.g. a forged one).
 */
export function postToSlack(
  url: string,
  body: string,
  secret: string,
  { contentType = 'application/x-www-form-urlencoded', signature = '' } = {},
): Promise<Response> {
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signature || sig,
    },
  });
}
