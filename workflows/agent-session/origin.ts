// Who started a turn, for the requests the turn makes: every person whose message is in the turn
// (each a requester, so none of them may approve), and what kinds of sender started it: a person,
// another agent (its question, or the answer to a question this agent asked), or an A2A client. It
// comes from the session's own queue, never from the box. A turn without messages or answers (only
// outcomes of earlier requests) keeps the origin of the turn before it, as the requester does.
import type { RequestOrigin, Requester } from '../sensitive-action/request.ts';
import type { SessionSender } from './messages.ts';
import type { TurnItem, TurnOrigin } from './types.ts';

const isA2A = (id: string) => id.startsWith('a2a:');

/** What kind of sender `from` is. */
export function senderOrigin(from: SessionSender): RequestOrigin {
  if (from.platform !== 'agent') return 'person';
  return isA2A(from.userId) ? 'a2a' : 'agent';
}

/** A session sender as a request's requester (the session's requests and an exchange's steps). */
export function requesterOf(from: SessionSender): Requester {
  return {
    platform: from.platform,
    userId: from.userId,
    ...(from.aadObjectId ? { aadObjectId: from.aadObjectId } : {}),
    displayName: from.displayName,
    ...(from.policyUserId ? { policyUserId: from.policyUserId } : {}),
  };
}

/** The origin of a turn with `items`; `previous` when nothing in them says (see the header). */
export function turnOrigin(
  items: TurnItem[],
  previous: TurnOrigin | null,
  lastSender: SessionSender | null,
): TurnOrigin | null {
  const origins = new Set<RequestOrigin>();
  const senders: SessionSender[] = [];
  for (const item of items) {
    if (item.kind === 'message') {
      const from = item.message.from;
      origins.add(senderOrigin(from));
      const known = senders.some((s) => s.platform === from.platform && s.userId === from.userId);
      if (from.platform !== 'agent' && !known) senders.push(from);
    } else if (item.kind === 'exchange-result') {
      // The answer (or the failure) of another agent: its words start this turn.
      origins.add(isA2A(item.to) ? 'a2a' : 'agent');
    }
  }
  if (origins.size === 0) {
    if (previous) return previous;
    // A session carried over from before origins: the last sender says what it was.
    return lastSender ? { origins: [senderOrigin(lastSender)], senders: [] } : null;
  }
  const order: RequestOrigin[] = ['person', 'agent', 'a2a'];
  return {
    origins: order.filter((o) => origins.has(o)),
    senders: senders.length > 0 ? senders : (previous?.senders ?? []),
  };
}

/** `{ coRequesters }`: the turn's people other than the requester, when there are any. */
export function coRequesters(ctx: {
  requester(): SessionSender | null;
  origin(): TurnOrigin | null;
}): { coRequesters?: SessionSender[] } {
  const from = ctx.requester();
  const others = (ctx.origin()?.senders ?? []).filter(
    (s) => !(from && s.platform === from.platform && s.userId === from.userId),
  );
  return others.length > 0 ? { coRequesters: others } : {};
}
