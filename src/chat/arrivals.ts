// People arriving in a chat with the bot: a Teams install (the Agents Playground sends one each
// time its web client opens), a direct message, a mention or any message in a conversation the
// bot is in. Each shows the person the pending approvals they may decide (pending.ts); asking
// "pending" or "what's waiting for me?" shows them again and answers in words.
import type { Chat, Message, Thread } from 'chat';
import type { Logger } from '../log.ts';
import { asksForPending, slackArrival, teamsArrival, type ShowPending } from './pending.ts';

/** Register the arrival handlers on `chat`; `showPending` finds and shows the cards. */
export function watchArrivals(chat: Chat, showPending: ShowPending, logger: Logger): void {
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
  const onMessage = async (thread: Thread, message: Message) => {
    const asked = asksForPending(message.text);
    const name = thread.adapter.name;
    const arrival =
      name === 'teams'
        ? teamsArrival(message.raw, asked)
        : name === 'slack'
          ? slackArrival(message.raw, asked)
          : null;
    const shown = await show(arrival);
    if (!asked) return;
    const answer = !shown
      ? 'I could not look up your pending approvals just now; try again in a minute.'
      : shown.shown === 0
        ? 'Nothing is waiting for your decision.'
        : `${shown.shown} approval${shown.shown === 1 ? ' is' : 's are'} waiting for your decision${shown.more ? ` (and ${shown.more} more: airlock approvals list)` : ''}; each card is posted here.`;
    await thread.post(answer);
  };
  chat.onDirectMessage(onMessage);
  chat.onNewMention(onMessage);
  chat.onNewMessage(/[\s\S]*/, onMessage);
}
