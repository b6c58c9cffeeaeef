// Cards for people who arrive late: when an approver opens or writes to a chat with the bot, the
// webhook asks each pending request they may decide to show its card there. Only someone the
// request's approvers (escalation included) name gets a card; it joins the request's other cards,
// so it works the same and is finalized with them. Who may decide is published as a search
// attribute (identity keys only), which is how the webhook finds the requests.
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { ShowCardRequest } from './messages.ts';
import type { Audit } from './run.ts';
import { ApproverKeys } from './search.ts';
import { isApprover } from './identity.ts';
import type { Tally } from './tally.ts';
import type { CardRef, CardTarget } from './types.ts';
import type { Approver } from './request.ts';

/** The identity keys a webhook searches by for `approvers`. */
export function approverKeys(approvers: Approver[]): string[] {
  const keys = approvers.flatMap((a) => [
    ...(a.aadObjectId ? [`teams:${a.aadObjectId}`] : []),
    ...(a.slackUserId ? [`slack:${a.slackUserId}`] : []),
  ]);
  return [...new Set(keys)].sort();
}

/** Publish who may decide now (call again after an escalation). */
export function publishApprovers(tally: Tally): void {
  upsertSearchAttributes([{ key: ApproverKeys, value: approverKeys(tally.authorized) }]);
}

/** Posts one card copy to `target`; null when it could not be posted (already audited). */
export type PostOne = (target: CardTarget) => Promise<CardRef | null>;

/**
 * Handle the queued show requests; returns true when a card was added (the caller refreshes every
 * card so the new copy shows the current progress). Requests from people who may not decide, and
 * repeats of a request, change nothing.
 */
export async function showCards(
  queue: ShowCardRequest[],
  seen: Set<string>,
  tally: Tally,
  cards: CardRef[],
  post: PostOne,
  audit: Audit,
): Promise<boolean> {
  let added = false;
  while (queue.length > 0) {
    const r = queue.shift() as ShowCardRequest;
    if (!wellFormed(r) || seen.has(r.requestId)) continue;
    seen.add(r.requestId);
    const approver = tally.authorized.find((a) => isApprover(r.person, a));
    if (!approver || tally.outcome || tally.closedAs) continue;
    const { platform, conversationId } = r.target;
    // A Teams card is posted with the bot's token to the target's connector: only a connector this
    // request's cards already use is trusted, never one a signal names.
    const connector = origin(r.target.serviceUrl);
    if (
      platform === 'teams' &&
      !cards.some((c) => c.platform === 'teams' && origin(c.serviceUrl) === connector)
    )
      continue;
    const there = cards.some((c) => c.platform === platform && c.conversationId === conversationId);
    if (there && !r.again) continue;
    const ref = await post({ ...r.target, audience: `shown:${approver.id}` });
    if (!ref) continue;
    cards.push(ref);
    added = true;
    await audit('card-shown', {
      approver: r.person,
      detail: { conversation: `${platform}:${conversationId}`, again: r.again },
    });
  }
  return added;
}

/** The scheme and host of a connector URL, loopback names counted as one ('' when absent). */
function origin(url: string | undefined): string {
  const m = /^(https?):\/\/([^/?#]+)/i.exec(url ?? '');
  if (!m) return '';
  const host = (m[2] as string).toLowerCase().replace(/^localhost(?=:|$)/, '127.0.0.1');
  return `${(m[1] as string).toLowerCase()}://${host}`;
}

function wellFormed(r: ShowCardRequest): boolean {
  const t = r?.target as Partial<ShowCardRequest['target']> | undefined;
  return (
    typeof r?.requestId === 'string' &&
    typeof r.person?.userId === 'string' &&
    (r.person.platform === 'teams' || r.person.platform === 'slack') &&
    (t?.platform === 'teams' || t?.platform === 'slack') &&
    t.platform === r.person.platform &&
    typeof t.conversationId === 'string' &&
    t.conversationId.length > 0 &&
    (t.platform === 'slack' || typeof t.serviceUrl === 'string')
  );
}
