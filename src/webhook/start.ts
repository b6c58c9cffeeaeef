// The webhook, started one way for production (workers/webhook.ts), tests, benchmarks and the demo:
// the chat platforms, the receiver and poster on them, the decision inbox and the HTTP server. A
// verified click's signed decision is fsynced to the inbox before it is answered; the inbox hands
// it to Temporal as the approvalDecision signal. The Temporal connection is lazy: the webhook
// starts and keeps taking clicks while Temporal is unreachable, hands them over once it is back,
// and says which on /healthz. /readyz is 200 while the inbox keeps clicks (Temporal or not: a
// kept click is not lost), 503 while it cannot (closing, unwritable, backlog full).
import { Client, Connection } from '@temporalio/client';
import type { TeamsAdapterConfig } from '@chat-adapter/teams';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createDecisionSigner, type DecisionSigner } from '../receipts/signer.ts';
import { currentPolicy } from '../policy/current.ts';
import { dataConverter } from '../temporal/client.ts';
import { connectionOptions } from '../temporal/connection.ts';
import { createAgentRouter } from '../chat/agents/router.ts';
import { approvalBot, type ApprovalBot } from '../chat/bot.ts';
import { configuredInboxKey } from './inbox/auth.ts';
import {
  createDecisionInbox,
  inboxDir,
  type DecisionInbox,
  type DecisionInboxOptions,
  type Deliver,
} from './inbox/inbox.ts';
import { createChatPlatforms } from '../chat/platforms.ts';
import { createShowPending } from '../chat/pending.ts';
import { createReceiver } from '../chat/agents/receiver.ts';
import { createWebhookServer } from './server.ts';
import { isTemporalUnreachable } from '../temporal/reachability.ts';
import { signalDecision } from './inbox/signal.ts';
import { logSlippedClicks } from './sdk-clicks.ts';
import { createWebhookAuth } from './auth/inbound.ts';

/** Options of startWebhook. */
export interface StartWebhookOptions {
  config: Config;
  logger: Logger;
  /** The Temporal client to signal; default: a lazily connecting one (closed by close()). */
  temporal?: Client;
  /** Signs each verified decision before it is kept; default: createDecisionSigner(config). */
  signer?: DecisionSigner | undefined;
  /** Tests without Temporal: where kept decisions are handed over instead of the signal. */
  deliver?: Deliver;
  /** Outbound Teams token factory (tests). */
  teamsToken?: TeamsAdapterConfig['token'];
  /** Inbox tuning (tests: retry delays, a failing fsync). */
  inbox?: Partial<Omit<DecisionInboxOptions, 'dir' | 'deliver' | 'key' | 'logger'>>;
  /** How often Temporal is probed while unreachable (ms, default 2000; 15 s once reachable). */
  probeMs?: number;
}

/** What /healthz reports beyond the platforms. */
export interface WebhookHealth {
  temporal: 'reachable' | 'unreachable' | 'unknown';
  inbox: { pending: number; deadLetters: number };
}

/** A running webhook. */
export interface Webhook {
  port: number;
  /** `http://<host>:<port>` */
  url: string;
  bot: ApprovalBot;
  inbox: DecisionInbox;
  health(): WebhookHealth;
  /** Refuse new clicks, finish deliveries in flight, stop listening, disconnect. */
  close(): Promise<void>;
}

/** Start the webhook; throws (having released what it took) when it cannot. */
export async function startWebhook(options: StartWebhookOptions): Promise<Webhook> {
  const { config, logger } = options;
  const undo: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const step of undo.reverse()) {
      await step().catch((err: unknown) => logger.warn({ err }, 'webhook: cleanup step failed'));
    }
  };
  try {
    const auth = createWebhookAuth(config, logger);
    const platforms = await createChatPlatforms({
      config,
      logger,
      auth: auth.inbound,
      ...(options.teamsToken ? { teamsToken: options.teamsToken } : {}),
    });
    undo.push(() => platforms.chat.shutdown());
    const temporal = options.deliver ? undefined : (options.temporal ?? lazyClient(config));
    if (temporal && !options.temporal) undo.push(() => temporal.connection.close());
    const showPending = temporal
      ? createShowPending({ client: () => temporal, logger })
      : undefined;
    const toAgent = temporal
      ? createAgentRouter({
          client: temporal,
          config,
          policy: currentPolicy(config.AIRLOCK_POLICY_DIR),
          state: platforms.chat.getState(),
          logger,
        })
      : undefined;
    const receiver = createReceiver(platforms, logger, showPending, toAgent);
    logSlippedClicks(platforms.chat, logger);

    let temporalState: WebhookHealth['temporal'] = 'unknown';
    const signal = options.deliver ?? signalDecision(temporal as Client, logger);
    const deliver: Deliver = async (workflowId, decision) => {
      try {
        await signal(workflowId, decision);
        if (temporal) temporalState = 'reachable';
      } catch (err) {
        if (temporal && isTemporalUnreachable(err)) temporalState = 'unreachable';
        throw err;
      }
    };
    const inbox = createDecisionInbox({
      dir: inboxDir(config),
      deliver,
      key: configuredInboxKey(config),
      logger,
      maxPending: config.AIRLOCK_INBOX_MAX_PENDING,
      maxAttempts: config.AIRLOCK_INBOX_MAX_ATTEMPTS,
      isTransient: isTemporalUnreachable,
      ...options.inbox,
    });
    await inbox.start();
    undo.push(() => inbox.close());

    const stopProbe = temporal
      ? probe(temporal, options.probeMs ?? 2000, (reachable) => {
          const was = temporalState;
          temporalState = reachable ? 'reachable' : 'unreachable';
          if (was === temporalState) return;
          if (reachable) inbox.retryNow();
          const log = reachable ? logger.info.bind(logger) : logger.warn.bind(logger);
          log({ address: config.TEMPORAL_ADDRESS }, `Temporal is ${temporalState}`);
        })
      : () => Promise.resolve();
    undo.push(stopProbe);

    const health = (): WebhookHealth => {
      const { pending, deadLetters } = inbox.stats();
      return { temporal: temporalState, inbox: { pending, deadLetters } };
    };
    const signer = 'signer' in options ? options.signer : createDecisionSigner(config);
    const server = createWebhookServer({
      config,
      logger,
      platforms,
      teamsAuth: auth.teamsAuth,
      receiver,
      accept: inbox.accept,
      signer,
      health: () => ({ ...health() }),
      ready: () => ({
        ready: inbox.accepting(),
        inbox: inbox.accepting() ? 'accepting' : 'not accepting',
        temporal: temporalState,
      }),
    });
    const port = await server.listen();
    const url = `http://${hostForUrl(config.AIRLOCK_WEBHOOK_HOST)}:${port}`;
    logger.info(
      {
        host: config.AIRLOCK_WEBHOOK_HOST,
        port,
        teams: platforms.teamsMode,
        slack: platforms.slackEnabled,
      },
      'webhook server listening',
    );
    return {
      port,
      url,
      bot: approvalBot(platforms, config),
      inbox,
      health,
      async close() {
        // The inbox refuses new clicks at once (503: the platform retries them), then the server
        // closes, deliveries in flight finish, and what is left waits in the inbox for the next start.
        const closing = inbox.close();
        await server.close();
        await closing;
        await receiver.drain();
        await cleanUp();
        logger.info('webhook server stopped');
      },
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** A client whose connection is made on first use and remade after Temporal comes back. */
function lazyClient(config: Config): Client {
  const connection = Connection.lazy({
    // The webhook's own certificate: the server lets it signal decisions and messages only.
    ...connectionOptions(config, 'webhook'),
    // gRPC backs off reconnecting up to 2 minutes by default; a webhook holding clicks should
    // notice a restarted Temporal within seconds.
    channelArgs: {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
    },
  });
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverter(config),
  });
}

/**
 * Ask Temporal for its system info every `ms` (4× slower while reachable); returns a stopper that
 * resolves once the call in flight settled (the SDK retries a failed call on a timer, which throws
 * if the connection was closed in between).
 */
function probe(
  client: Client,
  ms: number,
  report: (reachable: boolean) => void,
): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const once = async () => {
    let reachable = true;
    try {
      await client.connection.withDeadline(Date.now() + 2000, () =>
        client.connection.workflowService.getSystemInfo({}),
      );
    } catch {
      reachable = false;
    }
    if (stopped) return;
    report(reachable);
    timer = setTimeout(() => void (inFlight = once()), reachable ? ms * 4 : ms);
    timer.unref();
  };
  inFlight = once();
  return () => {
    stopped = true;
    clearTimeout(timer);
    return inFlight;
  };
}

const hostForUrl = (host: string): string =>
  host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
