// Asking the humans: wait for the approvers (approval.ts), then finalize every card beside whatever
// follows, give the grant the deciding approver chose, and say how the asking ended.
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { judgeLateClicks, waitForApproval, type ApprovalContext } from './approval.ts';
import type { Execution } from './execute.ts';
import { giveGrant } from './grants.ts';
import type { ApprovalDecision, DecisionReceipt, ShowCardRequest } from './messages.ts';
import { finalView } from './outcome.ts';
import { RefusalLog } from './refusals.ts';
import type { Run } from './run.ts';
import { Approver as ApproverKey } from './search.ts';
import type { ActionOutcome, SensitiveActionActivities } from './types.ts';
import { unusual, unusualFindings } from './unusual.ts';

const acts = proxyActivities<SensitiveActionActivities>({ startToCloseTimeout: '30 seconds' });

/** How the asking went. */
export interface Asked {
  decidedBy: ActionOutcome['decidedBy'];
  /** Set when the request ends here: rejected (with the reason) or expired. */
  ended?: Pick<ActionOutcome, 'outcome' | 'message' | 'reason'>;
  /** Finalizing the cards, which runs beside the execution; the run waits for it at the end. */
  finalizing: Promise<void>;
  /** Record the clicks that arrived after the decision as refused. */
  judgeLate: () => Promise<void>;
  /** Set when approved: "Approved by Alice Approver at 14:02 UTC". */
  approvedText?: string;
}

/**
 * Post the cards, wait for a decision (the clicks checked and recorded by `execution`), and finalize
 * the cards; approved requests get their grant.
 */
export async function askHumans(
  run: Run,
  inbox: ApprovalDecision[],
  shows: ShowCardRequest[],
  execution: Execution,
): Promise<Asked> {
  const { workflowId, request, decision, status } = run;
  run.setState('pending', `Waiting for approval (rule ${decision.rule})`);
  const refusals = new RefusalLog();
  const findings = await unusualFindings(run);
  const receipt = (d: ApprovalDecision): { receipt?: DecisionReceipt } =>
    d.signature ? { receipt: { v: 1, workflowId, decision: d } } : {};
  const ctx: ApprovalContext = {
    workflowId,
    request,
    decision,
    inbox,
    shows,
    findings,
    audit: run.audit,
    startChecking: () => execution.startChecking(),
    onProgress: (tally) => {
      status.decisions = [...tally.approvals, ...tally.rejections].map((d) => ({
        approver: d.approver.displayName,
        choice: d.choice,
        ...(d.reason ? { reason: d.reason } : {}),
        at: d.receivedAt,
        ...receipt(d),
      }));
    },
    onRefused: (d, why) => {
      if (!refusals.note(d)) {
        status.unlistedRefusals = refusals.unlisted();
        return false;
      }
      status.rejectedClicks.push({
        approver: d.approver?.displayName ?? '?',
        why,
        at: d.receivedAt,
      });
      return true;
    },
  };
  const waited = await waitForApproval(ctx);
  const unlisted = refusals.unlisted();
  if (unlisted.length > 0)
    await run.audit('rejected-click', {
      detail: { why: 'refused clicks beyond the first few per identity, counted only', unlisted },
    });
  const decidedBy = [...waited.tally.approvals, ...waited.tally.rejections].map((d) => ({
    approver: d.approver,
    choice: d.choice,
    ...(d.reason ? { reason: d.reason } : {}),
    at: d.receivedAt,
    ...receipt(d),
  }));
  const names = decidedBy.map((d) => d.approver.displayName).join(', ');
  if (names) upsertSearchAttributes([{ key: ApproverKey, value: names }]);
  const view = finalView(waited.outcome, decidedBy, decision);
  const finalizing = acts.updateApprovalCards({
    workflowId,
    request,
    decision,
    deadline: '',
    ...unusual(findings),
    cards: waited.cards,
    view,
  });
  const asked = { decidedBy, finalizing, judgeLate: () => judgeLateClicks(ctx, waited.tally) };
  if (waited.outcome !== 'approved') {
    run.setState(waited.outcome, view.outcomeText);
    if (waited.outcome === 'expired')
      await run.audit('expired', { detail: { afterMs: decision.expiry.afterMs } });
    const reason = waited.tally.rejections.at(-1)?.reason;
    return {
      ...asked,
      ended: {
        outcome: waited.outcome,
        message: view.outcomeText,
        ...(waited.outcome === 'rejected' && reason ? { reason } : {}),
      },
    };
  }
  // An exchange step's approval executes nothing: approved is where it ends.
  run.setState('approved', request.exchange ? view.outcomeText : `${view.outcomeText}; executing`);
  const deciding = waited.tally.approvals.at(-1);
  if (deciding) await giveGrant(workflowId, request, decision, deciding, run.audit);
  return { ...asked, approvedText: view.outcomeText };
}
