// The Chat SDK's Teams and Slack adapters, plus one thing each: post and edit a card already in
// the platform's own format (see platform-cards.ts). Everything else — authentication, connector
// URLs, tokens, webhooks and clicks — stays the SDK's.
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

/** Slack adapter that can send raw Block Kit. */
export class AirlockSlackAdapter extends SlackAdapter {
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
