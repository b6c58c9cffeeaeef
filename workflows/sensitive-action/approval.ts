// The approval wait: post cards, then loop on `condition` until a decision, the next reminder,
// the next escalation level or the deadline. Signal handlers only queue clicks; this loop judges
// them one by one (Tally), records every verdict, and keeps every card's notes current.
import { condition, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { capReason, type ApprovalDecision, type ShowCardRequest } from './messages.ts';
import { publishApprovers, showCards } from './show.ts';
import { Tally } from './tally.ts';
import type { Audit } from './run.ts';
import type {
  ActionRequest,
  CardInput,
  CardRef,
  CardTarget,
  PinnedDecision,
  SensitiveActionActivities,
} from './types.ts';

const acts = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A card that cannot be posted after a few tries is skipped (and audited): the others still go.
const posting = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 4 },
});

/** What the wait ended with. */
export interface ApprovalResult {
  outcome: 'approved' | 'rejected' | 'expired';
  tally: Tally;
  cards: CardRef[];
}

/** Everything the wait needs from the workflow. */
export interface ApprovalContext {
  workflowId: string;
  request: ActionRequest;
  decision: PinnedDecision;
  inbox: ApprovalDecision[];
  /** Approvers who arrived in a chat with the bot and should see the card there. */
  shows: ShowCardRequest[];
  audit: Audit;
  onProgress: (tally: Tally) => void;
  onRefused: (click: ApprovalDecision, why: string) => void;
}

const names = (list: { displayName: string }[]) => list.map((x) => x.displayName).join(', ');

/** Wait for the humans; returns approved, rejected or expired. The caller finalizes the cards. */
export async function waitForApproval(ctx: ApprovalContext): Promise<ApprovalResult> {
  const { workflowId, request, decision, inbox } = ctx;
  const start = Date.now();
  const deadlineMs = start + decision.expiry.afterMs;
  const deadline = new Date(deadlineMs).toISOString();
  const postTo = async (
    input: CardInput & { escalationLevel?: number },
    target: CardTarget,
  ): Promise<CardRef | null> => {
    try {
      return await posting.postApprovalCard({ ...input, target });
    } catch (err) {
      await ctx.audit('card-failed', {
        detail: { audience: target.audience, error: String((err as Error).cause ?? err) },
      });
      return null;
    }
  };
  const post = async (input: CardInput & { escalationLevel?: number }): Promise<CardRef[]> => {
    const refs: CardRef[] = [];
    for (const target of await acts.planApprovalCards(input)) {
      const ref = await postTo(input, target);
      if (ref) refs.push(ref);
    }
    return refs;
  };
  const cards = await post({ workflowId, request, decision, deadline });
  await ctx.audit('cards-posted', {
    detail: { cards: cards.map((c) => `${c.platform}:${c.audience}`) },
  });
  const tally = new Tally(decision, request);
  publishApprovers(tally);
  const shown = new Set<string>();
  const every = decision.reminderEveryMs;
  let nextReminder = every ? start + every : Infinity;
  let reminders = 0;
  const levels = decision.escalation;
  let level = 0; // escalation levels reached so far
  const escalateAt = () =>
    level < levels.length ? start + (levels[level]?.afterMs ?? 0) : Infinity;

  const notes = () =>
    [
      decision.quorum > 1 || tally.approvals.length > 0
        ? `${tally.approvals.length} of ${decision.quorum} approvals${tally.approvals.length ? `: ${names(tally.approvals.map((a) => a.approver))}` : ''}`
        : '',
      level > 0 ? `Escalated to ${names(levels.slice(0, level).flatMap((l) => l.approvers))}` : '',
      reminders > 0 ? `Reminder ${reminders}: still waiting for a decision` : '',
    ].filter(Boolean);
  const refresh = () =>
    acts.updateApprovalCards({
      workflowId,
      request,
      decision,
      deadline,
      cards,
      view: { state: 'pending', notes: notes() },
    });
  const describe = () =>
    setCurrentDetails(
      `Waiting for ${decision.quorum} approval(s) from ${names(tally.authorized)} until ${deadline}.`,
    );
  describe();

  while (!tally.outcome && Date.now() < deadlineMs) {
    const wake = Math.min(deadlineMs, nextReminder, escalateAt());
    await condition(() => inbox.length > 0 || ctx.shows.length > 0, Math.max(1, wake - Date.now()));
    // Arrivals first: a card shown now still gets the outcome of a click in the same batch.
    const copy = (target: CardTarget) =>
      postTo({ workflowId, request, decision, deadline }, target);
    let changed = await showCards(ctx.shows, shown, tally, cards, copy, ctx.audit);
    while (inbox.length > 0 && !tally.outcome) {
      const click = inbox.shift() as ApprovalDecision;
      const verdict = tally.consider(click);
      if (verdict.kind === 'duplicate') continue;
      if (verdict.kind === 'refused') {
        await refuse(ctx, click, verdict.why);
        continue;
      }
      await ctx.audit('decision', {
        approver: click.approver,
        detail: {
          choice: click.choice,
          reason: capReason(click.reason),
          decisionId: click.decisionId,
          grant: click.grant,
        },
      });
      ctx.onProgress(tally);
      changed ||= verdict.kind === 'counted';
    }
    if (tally.outcome) break;
    const now = Date.now();
    if (now >= escalateAt() && now < deadlineMs) {
      const reached = levels[level++];
      if (reached) {
        tally.authorize(reached.approvers);
        publishApprovers(tally);
        const posted = await post({
          workflowId,
          request,
          decision: { ...decision, approvers: reached.approvers },
          deadline,
          escalationLevel: level,
        });
        cards.push(...posted);
        await ctx.audit('escalated', {
          detail: { level, approvers: reached.approvers.map((a) => a.id) },
        });
        describe();
        changed = true;
      }
    }
    if (now >= nextReminder && now < deadlineMs) {
      reminders++;
      while (nextReminder <= now) nextReminder += every as number; // one reminder per interval
      await ctx.audit('reminder', { detail: { reminder: reminders } });
      changed = true;
    }
    if (changed) await refresh();
  }
  if (!tally.outcome) tally.closedAs = 'expired';
  await judgeLateClicks(ctx, tally);
  return { outcome: tally.outcome ?? 'expired', tally, cards };
}

/** Record a refused click: in the status query and in the audit log. */
async function refuse(ctx: ApprovalContext, click: ApprovalDecision, why: string): Promise<void> {
  ctx.onRefused(click, why);
  await ctx.audit('rejected-click', {
    approver: click.approver,
    detail: { why, decisionId: click.decisionId },
  });
}

/**
 * Clicks that arrive once the request is decided (or expired) change nothing, but each distinct one
 * is still recorded as refused; redeliveries are dropped as duplicates.
 */
export async function judgeLateClicks(ctx: ApprovalContext, tally: Tally): Promise<void> {
  while (ctx.inbox.length > 0) {
    const click = ctx.inbox.shift() as ApprovalDecision;
    const verdict = tally.consider(click);
    if (verdict.kind === 'duplicate') continue;
    await refuse(ctx, click, verdict.kind === 'refused' ? verdict.why : 'request already decided');
  }
}
