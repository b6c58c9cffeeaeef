// The receiving side of the chat surface: checks webhook requests as the platform's adapter does
// and passes all but approval clicks (messages, installs, conversation updates) through the Chat
// SDK. It is the one subscriber to the SDK's events: each message is read once (message.ts), tells
// the bot where it may post, and goes to the arrivals and the agent router. Clicks are the
// webhook's own (src/webhook/): decided at its edge, and logged there if one slips past it.
import type { Message, Thread } from 'chat';
import { AirlockError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { teamsArrival, type ShowPending } from '../pending.ts';
import type { ChatPlatforms, Platform } from '../platforms.ts';
import { createArrivals } from './arrivals.ts';
import { readMessage } from './message.ts';
import type { ToAgent } from './router.ts';

/** What the Chat SDK answered a request, once the work it started settled (or timed out). */
export interface SdkAnswer {
  status: number;
  contentType: string;
  text: string;
  /** 'failed': a handler threw (answer 5xx so the platform retries). */
  outcome: 'ok' | 'failed' | 'timeout';
}

/** The receiving side on a set of chat platforms. */
export interface ChatReceiver {
  /** Check a webhook request the way the platform's adapter will (token or signature). */
  verifyRequest(platform: Platform, request: Request, body: string): Promise<boolean>;
  /**
   * Hand a request to the platform's adapter; waits up to `ackTimeoutMs` for its handlers.
   * `verified`: the webhook's edge verified its token for it (production Teams), so the adapter
   * does not verify it again.
   */
  handle(
    platform: Platform,
    request: Request,
    ackTimeoutMs: number,
    verified?: boolean,
  ): Promise<SdkAnswer>;
  /** Resolves once every handler started so far has settled (answered or timed out included). */
  drain(): Promise<void>;
}

/** Register the receiving handlers on `platforms`' Chat instance. */
export function createReceiver(
  platforms: ChatPlatforms,
  logger: Logger,
  showPending?: ShowPending,
  toAgent?: ToAgent,
): ChatReceiver {
  const { chat, conversations, verifiers } = platforms;
  const arrivals = showPending ? createArrivals(showPending, logger, toAgent) : undefined;
  const onMessage =
    (toBot: boolean) =>
    async (thread: Thread, raw: Message): Promise<void> => {
      const message = readMessage(thread, raw, toBot, logger);
      if (!message) return;
      // Any message teaches the bot where it may post: DMs, mentions and plain messages.
      if (message.postable) conversations.remember(message.postable);
      await arrivals?.message(message);
    };
  chat.onDirectMessage(onMessage(true));
  chat.onNewMention(onMessage(true));
  chat.onNewMessage(/[\s\S]*/, onMessage(false));
  if (arrivals) {
    chat.onInstalled(async (event) => {
      if (event.adapter.name === 'teams') await arrivals.installed(teamsArrival(event.raw, true));
    });
  }

  // Handlers still running after their request was answered: close() waits for them, so none
  // calls Temporal on a connection that was closed under it.
  const running = new Set<Promise<unknown>>();

  async function settle(tasks: Promise<unknown>[], ms: number): Promise<SdkAnswer['outcome']> {
    if (tasks.length === 0) return 'ok';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
    const all = Promise.all(tasks).then(
      () => 'ok' as const,
      (err: unknown) => {
        logger.error({ err }, 'webhook handler failed; the platform may retry');
        return 'failed' as const;
      },
    );
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async verifyRequest(platform, request, body) {
      const verify = verifiers[platform];
      try {
        return Boolean(verify && (await verify(request, body)));
      } catch {
        return false;
      }
    },
    async handle(platform, request, ackTimeoutMs, verified = false) {
      const webhook = chat.webhooks[platform];
      if (!webhook) throw new AirlockError('chat_unavailable', `${platform} is not configured`);
      if (verified && platform === 'teams') platforms.verifiedAtEdge.add(request);
      const tasks: Promise<unknown>[] = [];
      const response = await webhook(request, {
        waitUntil: (task) => {
          tasks.push(task);
          const tracked: Promise<void> = task.then(
            () => void running.delete(tracked),
            () => void running.delete(tracked),
          );
          running.add(tracked);
        },
        propagateHandlerErrors: true,
      });
      const outcome = await settle(tasks, ackTimeoutMs);
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        text: await response.text(),
        outcome,
      };
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
