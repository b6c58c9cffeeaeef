// People arriving in a chat with the bot: a Teams install (the Agents Playground sends one each
// time its web client opens), a direct message, a mention or any message in a conversation the
// bot is in. Each shows the person the pending approvals they may decide (pending.ts); asking
// "pending" or "what's waiting for me?" shows them again and answers in words. Anything else said
// to the bot (a direct message or a mention) goes to an agent (agent-messages.ts).
import type { Chat, Message, Thread } from 'chat';
import type { Logger } from '../../log.ts';
import type { ToAgent } from './router.ts';
import { asksForPending, slackArrival, teamsArrival, type ShowPending } from '../pending.ts';

/**
 * Register the arrival handlers on `chat`; `showPending` finds and shows the cards, `toAgent` takes
 * the other messages said to the bot.
 */
export function watchArrivals(
  chat: Chat,
  showPending: ShowPending,
  logger: Logger,
  toAgent?: ToAgent,
): void {
  const show = async (arrival: ReturnType<typeof teamsArrival>) => {
    if (!arrival) return null;
    // An arrival never fails the platform's request: a card not shown now is shown next time.
    return showPending(arrival).catch((err: unknown) => {
      logger.warn({ err }, 'could not look up pending approvals for someone who arrived');
      return null;
    });
  };
  chat.onInstalled(async (event) => {
    if (event.adapter.name === 'teams') await show(teamsArrival(event.raw, true));
  });
  const onMessage = async (thread: Thread, message: Message, toBot: boolean) => {
    const asked = asksForPending(message.text);
    if (!asked && toBot && toAgent) {
      await Promise.all([show(arrival(thread, message, false)), toAgent(thread, message)]);
      return;
    }
    const shown = await show(arrival(thread, message, asked));
    if (!asked) return;
    const answer = !shown
      ? 'I could not look up your pending approvals just now; try again in a minute.'
      : shown.shown === 0
        ? 'Nothing is waiting for your decision.'
        : `${shown.shown} approval${shown.shown === 1 ? ' is' : 's are'} waiting for your decision${shown.more ? ` (and ${shown.more} more: airlock approvals list)` : ''}; each card is posted here.`;
    await thread.post(answer);
  };
  chat.onDirectMessage((thread, message) => onMessage(thread, message, true));
  chat.onNewMention((thread, message) => onMessage(thread, message, true));
  chat.onNewMessage(/[\s\S]*/, (thread, message) => onMessage(thread, message, false));
}

/** The arrival a message stands for on its platform, or null. */
function arrival(thread: Thread, message: Message, again: boolean) {
  const name = thread.adapter.name;
  return name === 'teams'
    ? teamsArrival(message.raw, again)
    : name === 'slack'
      ? slackArrival(message.raw, again)
      : null;
}
