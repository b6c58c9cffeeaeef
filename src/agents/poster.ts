// Where an agent's replies go when no chat surface is configured (the CLI, tests, a worker without
// Teams or Slack): nowhere but the session's status, which the CLI reads. The chat poster
// (src/chat/agents/replies.ts) posts to Teams and Slack threads.
import type { ConversationRef } from '../../workflows/agent-session/messages.ts';
import type { Logger } from '../log.ts';

/** Posts an agent's replies to its conversation. */
export interface ConversationPoster {
  /** Post `text` to the conversation once per `key`; CLI conversations post nothing. */
  post(conversation: ConversationRef, key: string, text: string): Promise<void>;
  /** Show "typing…" in the conversation (best effort, never throws). */
  typing(conversation: ConversationRef): Promise<void>;
}

/** A poster for a worker without chat: a reply to a chat thread is logged as undeliverable. */
export function statusOnlyPoster(logger: Logger): ConversationPoster {
  return {
    post(conversation, key) {
      if (conversation.platform !== 'cli' && conversation.platform !== 'agent')
        logger.warn({ key, platform: conversation.platform }, 'no chat surface: reply not posted');
      return Promise.resolve();
    },
    typing: () => Promise.resolve(),
  };
}
