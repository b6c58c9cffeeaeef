// Where approval cards can go: Teams conversations (channel, group chat or 1:1) and Slack
// channels. The bot learns a Teams conversation when someone messages it there (Bot Framework
// only lets a bot post where it has a reference), or it is given one in configuration.
import type { CardRef as PostedCard } from '../../../workflows/sensitive-action/types.ts';

/** A place to post a card. */
export type ChatTarget =
  | {
      platform: 'teams';
      conversationId: string;
      /** The Bot Framework connector that hosts the conversation (from its activities). */
      serviceUrl: string;
      conversationType?: 'personal' | 'groupChat' | 'channel';
      tenantId?: string;
    }
  | { platform: 'slack'; channel: string };

/** A posted card: enough to edit it in place later, from any process (before its audience). */
export type CardRef = Omit<PostedCard, 'audience'>;

/** A conversation the bot may post into, with when it was last seen. */
export type KnownConversation = ChatTarget & { lastSeenAt: string; name?: string };

/** In-process registry of conversations the bot has been told about or has heard from. */
export class ConversationRegistry {
  readonly #byKey = new Map<string, KnownConversation>();

  /** Record (or refresh) a conversation. */
  remember(target: ChatTarget, name?: string, at: Date = new Date()): void {
    const key =
      target.platform === 'teams' ? `teams:${target.conversationId}` : `slack:${target.channel}`;
    this.#byKey.set(key, { ...target, lastSeenAt: at.toISOString(), ...(name ? { name } : {}) });
  }

  /** Every known conversation, most recently seen first. */
  list(): KnownConversation[] {
    return [...this.#byKey.values()].sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  }
}

/** Read a Teams conversation reference out of an inbound activity, if it has one. */
export function teamsTargetFromActivity(raw: unknown): ChatTarget | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const a = raw as {
    serviceUrl?: unknown;
    conversation?: { id?: unknown; conversationType?: unknown; tenantId?: unknown };
  };
  const id = a.conversation?.id;
  if (typeof id !== 'string' || typeof a.serviceUrl !== 'string') return null;
  const type = a.conversation?.conversationType;
  const tenantId = a.conversation?.tenantId;
  return {
    platform: 'teams',
    conversationId: id,
    serviceUrl: a.serviceUrl,
    ...(type === 'personal' || type === 'groupChat' || type === 'channel'
      ? { conversationType: type }
      : {}),
    ...(typeof tenantId === 'string' ? { tenantId } : {}),
  };
}
