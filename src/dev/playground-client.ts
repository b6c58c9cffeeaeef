// A small client for the Agents Playground's HTTP and WebSocket API, for tests and the demo:
// read its config, send a message as a user, click a card button as any configured user, and
// watch the bot's createMessage/updateMessage events (the only way to read cards back).

/** One bot message event pushed by the Playground. */
export interface PlaygroundEvent {
  /** 'createMessage' or 'updateMessage' for bot messages. */
  action: string;
  actionConversationId: string;
  message: {
    messageId: string;
    text?: string;
    attachments?: { contentType: string; content: unknown }[];
  };
}

/** The users and conversations the Playground runs with. */
export interface PlaygroundConfig {
  config: {
    tenantId: string;
    bot: { id: string; name: string };
    currentUser: { id: string; name: string; aadObjectId: string };
    users: { id: string; name: string; aadObjectId: string }[];
    personalChat: { id: string };
    groupChats: { id: string; name: string }[];
    teams: { id: string; channels: { id: string; name: string }[] }[];
  };
}

/** A client bound to one Playground at `baseUrl` (http://127.0.0.1:<port>). */
export class PlaygroundClient {
  readonly baseUrl: string;
  readonly events: PlaygroundEvent[] = [];
  #ws: WebSocket | undefined;
  #waiters: (() => void)[] = [];

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  /** GET /_internal/v1/testConfig. */
  async testConfig(): Promise<PlaygroundConfig> {
    return (await this.#call('GET', '/_internal/v1/testConfig')) as PlaygroundConfig;
  }

  /**
   * Send `text` into a conversation (the Playground sends it as its current user). In group chats
   * and channels bots only hear mentions, so `mentionBot` adds one.
   */
  async sendMessage(
    conversationId: string,
    text: string,
    options: { fromId: string; mentionBot?: { id: string; name: string } },
  ): Promise<{ messageId: string }> {
    const mention = options.mentionBot;
    const body = {
      from: { id: options.fromId },
      text: mention ? `<at>${mention.name}</at> ${text}` : text,
      textFormat: 'plain',
      ...(mention
        ? { mentions: [{ mentioned: { id: mention.id }, text: `<at>${mention.name}</at>` }] }
        : {}),
    };
    const path = `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`;
    return (await this.#call('POST', path, body)) as { messageId: string };
  }

  /** Click a card button as user `fromId`: the Playground delivers it as a message with `value`. */
  async submit(input: {
    conversationId: string;
    replyToId: string;
    value: Record<string, unknown>;
    fromId: string;
  }): Promise<void> {
    await this.#call('POST', '/_conversation/v1/submit', {
      conversation: { id: input.conversationId },
      replyToId: input.replyToId,
      value: input.value,
      from: { id: input.fromId },
    });
  }

  /** Open the event stream; events accumulate in `events`. */
  async connect(): Promise<void> {
    const ws = new WebSocket(
      `${this.baseUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`,
    );
    ws.addEventListener('message', (m) => {
      this.events.push(JSON.parse(String(m.data)) as PlaygroundEvent);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error('Playground WebSocket failed')), {
        once: true,
      });
    });
    this.#ws = ws;
  }

  /** Resolve with the first event (already received or future) matching `match`. */
  async waitFor(
    match: (e: PlaygroundEvent) => boolean,
    timeoutMs = 15_000,
  ): Promise<PlaygroundEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a Playground event');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Close the event stream. */
  close(): void {
    this.#ws?.close();
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Playground ${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}

/** The Adaptive Card JSON inside a Playground message, if any. */
export function cardOf(event: PlaygroundEvent): Record<string, unknown> | undefined {
  const att = event.message.attachments?.find(
    (a) => a.contentType === 'application/vnd.microsoft.card.adaptive',
  );
  return att?.content as Record<string, unknown> | undefined;
}
