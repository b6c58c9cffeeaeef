// The Chat SDK's Teams and Slack adapters, plus one thing each: post and edit a card already in
// the platform's own format (see platform-cards.ts); the Slack one also learns the bot's own ids
// at start without waiting out the Web API client's retries. Everything else — authentication,
// connector URLs, tokens, webhooks and clicks — stays the SDK's.
import { TeamsAdapter } from '@chat-adapter/teams';
import { SlackAdapter } from '@chat-adapter/slack';

type Json = Record<string, unknown>;

const adaptiveCard = (content: Json) => ({
  type: 'message' as const,
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }],
});

/** Teams adapter that can send a raw Adaptive Card. */
export class AirlockTeamsAdapter extends TeamsAdapter {
  /** Post `content` into the thread; returns the new activity id. */
  async postCard(threadId: string, content: Json): Promise<string> {
    const sent = await this.app.sendTo(this.decodeThreadId(threadId), adaptiveCard(content));
    return sent.id;
  }

  /** Replace the card of activity `messageId` with `content`. */
  async editCard(threadId: string, messageId: string, content: Json): Promise<void> {
    const { conversationId, serviceUrl } = this.decodeThreadId(threadId);
    await this.app
      .apiFor(serviceUrl)
      .conversations.activities(conversationId)
      .update(messageId, adaptiveCard(content));
  }
}

/** How long the Slack adapter's start may spend learning who the bot is (auth.test). */
const authTestTimeoutMs = 5000;
/** A bot user id no one has: the bot's ids stay unknown when auth.test fails at start. */
const unknownBotUserId = 'U0UNKNOWN';

/** Slack adapter that can send raw Block Kit. */
export class AirlockSlackAdapter extends SlackAdapter {
  /**
   * Learn the bot's user id, bot id and name (auth.test) unless the user id was configured: the
   * SDK recognises the bot's own messages (Slack echoes each post back as an event) and mentions
   * by them. One bounded call, because the SDK's own lookup retries for half an hour when Slack
   * cannot be reached, and the webhook and worker would not start meanwhile.
   */
  override async initialize(chat: Parameters<SlackAdapter['initialize']>[0]): Promise<void> {
    if (!this._botUserId) {
      try {
        const res = await fetch(`${this.slackApiUrl ?? 'https://slack.com/api/'}auth.test`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await this.getToken()}` },
          signal: AbortSignal.timeout(authTestTimeoutMs),
        });
        const auth = (await res.json()) as Partial<Record<'user_id' | 'bot_id' | 'user', string>>;
        if (!auth.user_id) throw new Error(`auth.test answered ${JSON.stringify(auth)}`);
        this._botUserId = auth.user_id;
        this._botId = auth.bot_id ?? null;
        if (auth.user) (this as { userName: string }).userName = auth.user;
      } catch (error) {
        this.logger.error(
          'Could not learn the Slack bot user id (auth.test); set AIRLOCK_SLACK_BOT_USER_ID. Until then the bot does not recognise its own messages and mentions by id.',
          { error: String(error) },
        );
        this._botUserId = unknownBotUserId;
      }
    }
    await super.initialize(chat);
  }

  /** Post `blocks` to `channel`; returns the message ts. */
  async postBlocks(channel: string, blocks: Json[], text: string): Promise<string> {
    const sent = await this._client.chat.postMessage(
      await this.withToken({ channel, blocks, text, unfurl_links: false, unfurl_media: false }),
    );
    return sent.ts ?? '';
  }

  /** Replace message `ts` in `channel` with `blocks`. */
  async editBlocks(channel: string, ts: string, blocks: Json[], text: string): Promise<void> {
    await this._client.chat.update(await this.withToken({ channel, ts, blocks, text }));
  }
}
