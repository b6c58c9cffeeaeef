// The approval wait: post cards, then loop on `condition` until a decision, a reminder time or the
// deadline. Signal handlers only queue clicks; this loop judges them one by one (Tally), records
// every verdict, keeps every card current, and finalizes every card before returning.
import { condition, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { ApprovalDecision } from './messages.ts';
import { Tally } from './tally.ts';
import type {
  ActionRequest,
  AuditEntry,
  CardRef,
  PinnedDecision,
  SensitiveActionActivities,
} from './types.ts';

const acts = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
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
  audit: (type: AuditEntry['type'], extra?: Partial<AuditEntry>) => Promise<void>;
  onProgress: (tally: Tally) => void;
  onRefused: (click: ApprovalDecision, why: string) => void;
}

const names = (d: ApprovalDecision[]) => d.map((x) => x.approver.displayName).join(', ');

/** Wait for the humans; returns approved, rejected or expired, with every card finalized. */
export async function waitForApproval(ctx: ApprovalContext): Promise<ApprovalResult> {
  const { workflowId, request, decision, inbox } = ctx;
  const deadlineMs = Date.now() + decision.expiry.afterMs;
  const deadline = new Date(deadlineMs).toISOString();
  const cards = await acts.postApprovalCards({ workflowId, request, decision, deadline });
  await ctx.audit('cards-posted', {
    detail: { cards: cards.map((c) => `${c.platform}:${c.audience}`) },
  });
  const tally = new Tally(decision, request);
  const every = decision.reminderEveryMs;
  let nextReminder = every ? Date.now() + every : Infinity;
  let reminders = 0;
  const who = decision.approvers.map((a) => a.displayName).join(', ');
  setCurrentDetails(`Waiting for ${decision.quorum} approval(s) from ${who} until ${deadline}.`);

  while (!tally.outcome && Date.now() < deadlineMs) {
    await condition(
      () => inbox.length > 0,
      Math.max(1, Math.min(deadlineMs, nextReminder) - Date.now()),
    );
    while (inbox.length > 0 && !tally.outcome) {
      const click = inbox.shift() as ApprovalDecision;
      const verdict = tally.consider(click);
      if (verdict.kind === 'duplicate') continue;
      if (verdict.kind === 'refused') {
        ctx.onRefused(click, verdict.why);
        await ctx.audit('rejected-click', {
          approver: click.approver,
          detail: { why: verdict.why, decisionId: click.decisionId },
        });
        continue;
      }
      await ctx.audit('decision', {
        approver: click.approver,
        detail: { choice: click.choice, reason: click.reason, decisionId: click.decisionId },
      });
      ctx.onProgress(tally);
      if (verdict.kind === 'counted') {
        const notes = [
          `${tally.approvals.length} of ${decision.quorum} approvals${tally.approvals.length ? `: ${names(tally.approvals)}` : ''}`,
        ];
        await acts.updateApprovalCards({
          workflowId,
          request,
          decision,
          deadline,
          cards,
          view: { state: 'pending', notes },
        });
      }
    }
    if (!tally.outcome && Date.now() >= nextReminder && Date.now() < deadlineMs) {
      reminders++;
      nextReminder += every as number;
      await ctx.audit('reminder', { detail: { reminder: reminders } });
      await acts.updateApprovalCards({
        workflowId,
        request,
        decision,
        deadline,
        cards,
        view: { state: 'pending', notes: [`Reminder ${reminders}: still waiting for a decision`] },
      });
    }
  }
  return { outcome: tally.outcome ?? 'expired', tally, cards };
}
