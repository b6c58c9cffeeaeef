// A chat message to the bot, read once: the Chat SDK hands over a Teams activity or a Slack event
// (`message.raw`), and readMessage is the one step that reads it (each reader of the payload is
// called from there, once). The verified sender, where they wrote, where the bot may post and how
// the thread is named come out as one typed value that the receiver, the arrivals and the agent
// router take; none of them reads the raw payload.
import type { Message, Thread } from 'chat';
import type { Logger } from '../../log.ts';
import { asksForPending, slackArrival, teamsArrival, type Arrival } from '../pending.ts';
import { teamsTargetFromActivity, type ChatTarget } from './conversations.ts';

/** A message said in a Teams or Slack conversation the bot is in, as every later step takes it. */
export interface ChatMessage {
  platform: 'teams' | 'slack';
  /** The SDK's thread: its id names the conversation, and answers are posted to it. */
  thread: Thread;
  text: string;
  /** A direct message or a mention of the bot (not just a message where the bot listens). */
  toBot: boolean;
  /** Written by a bot (ours echoed back by Slack, or another app's). */
  fromBot: boolean;
  /** "pending", "what's waiting for me?": the person asks for their approvals. */
  asksForPending: boolean;
  /** The verified sender and where they wrote (`again` when they asked), or null when unnamed. */
  arrival: Arrival | null;
  /** The sender's name as the agent sees it (the SDK's resolved name on Slack). */
  senderName: string;
  /** The thread in words, e.g. "Teams chat with Riley Requester". */
  label: string;
  /** Where the bot may post from now on (a Teams conversation reference, a Slack channel). */
  postable: ChatTarget | null;
  /** The names the bot goes by here: a leading mention of any of them is not part of the text. */
  botNames: (string | undefined)[];
  /** Post `text` in the thread; a failure is logged, never thrown (the platform gets its 200). */
  answer: (text: string) => Promise<void>;
}

/** Read what the SDK delivered on `thread`; null for a platform Airlock does not receive. */
export function readMessage(
  thread: Thread,
  message: Message,
  toBot: boolean,
  logger: Logger,
): ChatMessage | null {
  const platform = thread.adapter.name;
  if (platform !== 'teams' && platform !== 'slack') return null;
  const raw: unknown = message.raw;
  const asked = asksForPending(message.text);
  const arrival = platform === 'teams' ? teamsArrival(raw, asked) : slackArrival(raw, asked);
  const senderName = nameOf(message, arrival);
  return {
    platform,
    thread,
    text: message.text,
    toBot,
    fromBot: message.author.isBot === true,
    asksForPending: asked,
    arrival,
    senderName,
    label: conversationLabel(platform, raw, senderName),
    postable: platform === 'teams' ? teamsTargetFromActivity(raw) : slackChannel(raw),
    botNames: [
      (raw as { recipient?: { name?: string } } | null)?.recipient?.name,
      thread.adapter.userName,
      thread.adapter.botUserId,
    ],
    answer: (text) =>
      thread.post(text).then(
        () => undefined,
        (err: unknown) => logger.warn({ err, threadId: thread.id }, 'could not answer in chat'),
      ),
  };
}

/** The sender's name: the SDK's resolved author name when it has one (Slack), else the platform's. */
function nameOf(message: Message, arrival: Arrival | null): string {
  const name = message.author.fullName;
  if (arrival?.person.platform === 'slack' && name && name !== 'unknown') return name;
  return arrival?.person.displayName ?? name;
}

/** The Slack channel a message event was said in. */
function slackChannel(raw: unknown): ChatTarget | null {
  const channel = (raw as { channel?: unknown } | null)?.channel;
  return typeof channel === 'string' ? { platform: 'slack', channel } : null;
}

/** A human-readable name for a conversation, e.g. "Teams chat with Riley Requester". */
function conversationLabel(platform: 'teams' | 'slack', raw: unknown, sender: string): string {
  const r = (raw ?? {}) as {
    conversation?: { conversationType?: unknown; name?: unknown };
    channelData?: { channel?: { name?: unknown } };
    channel?: unknown;
    channel_type?: unknown;
  };
  const named = (prefix: string, name: unknown) =>
    typeof name === 'string' && name ? `${prefix} ${name}` : prefix;
  if (platform === 'teams') {
    const type = r.conversation?.conversationType;
    if (type === 'channel') return named('Teams channel', r.channelData?.channel?.name);
    if (type === 'groupChat') return named('Teams group chat', r.conversation?.name);
    return `Teams chat with ${sender}`;
  }
  if (r.channel_type === 'im') return `Slack DM with ${sender}`;
  return named('Slack channel', r.channel);
}
