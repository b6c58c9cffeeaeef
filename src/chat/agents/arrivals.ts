// People arriving in a chat with the bot: a Teams install (the Agents Playground sends one each
// time its web client opens), a direct message, a mention or any message in a conversation the
// bot is in. Each shows the person the pending approvals they may decide (pending.ts); asking
// "pending" or "what's waiting for me?" shows them again and answers in words. Anything else said
// to the bot (a direct message or a mention) goes to an agent (router.ts). The receiver
// (receiver.ts) subscribes to the SDK's events and hands each message here, read once.
import type { Logger } from '../../log.ts';
import type { Arrival, ShowPending, Shown } from '../pending.ts';
import type { ChatMessage } from './message.ts';
import type { ToAgent } from './router.ts';

/** What happens when someone arrives: on install, or with a message. */
export interface Arrivals {
  /** Someone installed the bot (or opened the Playground): show what waits for them. */
  installed(arrival: Arrival | null): Promise<void>;
  /** Someone wrote in a conversation the bot is in. */
  message(message: ChatMessage): Promise<void>;
}

/** `showPending` finds and shows the cards, `toAgent` takes the other messages said to the bot. */
export function createArrivals(
  showPending: ShowPending,
  logger: Logger,
  toAgent?: ToAgent,
): Arrivals {
  const show = async (arrival: Arrival | null): Promise<Shown | null> => {
    if (!arrival) return null;
    // An arrival never fails the platform's request: a card not shown now is shown next time.
    return showPending(arrival).catch((err: unknown) => {
      logger.warn({ err }, 'could not look up pending approvals for someone who arrived');
      return null;
    });
  };
  return {
    async installed(arrival) {
      await show(arrival);
    },
    async message(message) {
      const asked = message.asksForPending;
      if (!asked && message.toBot && toAgent) {
        await Promise.all([show(message.arrival), toAgent(message)]);
        return;
      }
      const shown = await show(message.arrival);
      if (!asked) return;
      const answer = !shown
        ? 'I could not look up your pending approvals just now; try again in a minute.'
        : shown.shown === 0
          ? 'Nothing is waiting for your decision.'
          : `${shown.shown} approval${shown.shown === 1 ? ' is' : 's are'} waiting for your decision${shown.more ? ` (and ${shown.more} more: airlock approvals list)` : ''}; each card is posted here.`;
      // Not message.answer: a failed answer fails the request, so the platform asks again.
      await message.thread.post(answer);
    },
  };
}
