// The worker's side of agent conversations in chat: post an agent's reply (or a progress line) to
// the Teams or Slack thread the session belongs to, once per key, and show "typing…" while a turn
// runs. Posts go through the same Chat SDK adapters as approval cards; the thread id names the
// conversation and (Teams) its connector, so no conversation has to be learned first.
import type { StateAdapter } from 'chat';
import { AirlockError } from '../../errors.ts';
import type { ConversationPoster } from '../../agents/poster.ts';
import type { Logger } from '../../log.ts';
import type { ApprovalBot } from '../bot.ts';
import { escapeSlack, escapeTeams, shorten } from '../card-text.ts';

/** Options of the poster. */
export interface PosterOptions {
  /** Longest reply posted whole (characters, default 4000); longer ones are cut with a pointer. */
  maxChars?: number;
  /** How long a posted key is remembered (ms, default 4 days). */
  rememberMs?: number;
}

const postedKey = (key: string) => `airlock:session-reply:${key}`;

/** Create the poster over the bot's adapters; `state` remembers which keys were posted. */
export function createConversationPoster(
  bot: Pick<ApprovalBot, 'chat'>,
  state: StateAdapter,
  logger: Logger,
  options: PosterOptions = {},
): ConversationPoster {
  const maxChars = options.maxChars ?? 4000;
  const rememberMs = options.rememberMs ?? 4 * 86_400_000;
  const adapterFor = (platform: 'teams' | 'slack') => {
    const adapter = bot.chat.getAdapter(platform);
    if (!adapter) throw new AirlockError('chat_unavailable', `${platform} is not configured`);
    return adapter;
  };
  return {
    async post(conversation, key, text) {
      const { platform, threadId } = conversation;
      // CLI sessions are read through the status; an agent's answers go back to its exchange.
      if (platform === 'cli' || platform === 'agent' || !threadId) return;
      // Exactly once as far as we can see it: a retried activity finds its key and posts nothing.
      // What remains: a worker killed after the platform took the message and before the key was
      // written posts it again on the retry (the platforms take no idempotency key). The state is
      // PostgreSQL in production (shared by every worker, survives restarts); in development it is
      // this process's bounded memory, so a retry on another worker posts again.
      if (await state.get(postedKey(key))) return;
      const body = replyText(key, text, maxChars);
      const escaped = platform === 'teams' ? escapeTeams(body) : escapeSlack(body);
      const sent = await adapterFor(platform).postMessage(threadId, { raw: escaped });
      await state.set(postedKey(key), sent.id || 'posted', rememberMs);
      logger.debug({ key, chars: text.length }, 'posted a session reply');
    },
    async typing(conversation) {
      const { platform, threadId } = conversation;
      if (platform === 'cli' || platform === 'agent' || !threadId) return;
      try {
        await adapterFor(platform).startTyping(threadId);
      } catch (err) {
        logger.debug({ err, platform }, 'could not show typing; ignored');
      }
    },
  };
}

/**
 * `text` as posted: whole when it fits in `maxChars`, else its start and a line saying how long it
 * was and how to read all of it. `key` is `<workflowId>:<turn>` or `<workflowId>:<turn>:p<seq>`.
 */
export function replyText(key: string, text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const parsed = /^(.+):(\d+)(?::p\d+)?$/.exec(key);
  const where = parsed
    ? `; the whole reply: airlock agents replies ${parsed[1]} --turn ${parsed[2]}`
    : '';
  const pointer = `… (reply truncated: ${groupDigits(text.length)} characters in all${where})`;
  const head = shorten(text, Math.max(1, maxChars - pointer.length - 1)).text.replace(/…$/, '');
  return `${head}\n${pointer}`;
}

const groupDigits = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
