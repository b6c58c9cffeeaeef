// sensitiveActionWorkflow (`action:<requestId>`): pin the policy decision, then allow, deny or wait
// for approvers; execute exactly the approved request once through the vault (idempotency key =
// workflow id); tell the requester the truth; audit every step.
import {
  allHandlersFinished,
  condition,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { judgeLateClicks, waitForApproval, type ApprovalContext } from './approval.ts';
import { giveGrant } from './grants.ts';
import { finalView } from './outcome.ts';
import {
  approvalDecisionSignal,
  statusQuery,
  type ActionStatus,
  type ApprovalDecision,
} from './messages.ts';
import { ApprovalState, Approver as ApproverKey, PolicyRule } from './search.ts';
import type { Tally } from './tally.ts';
import type {
  ActionOutcome,
  ActionRequest,
  AuditEntry,
  SensitiveActionActivities,
} from './types.ts';

const acts = proxyActivities<SensitiveActionActivities>({ startToCloseTimeout: '30 seconds' });
// Policy evaluation and audit appends are fast and local to the worker: local activities skip a
// round trip through the server (their results are still recorded in history).
const local = proxyLocalActivities<SensitiveActionActivities>({
  startToCloseTimeout: '10 seconds',
});
// Execution must not run twice: one attempt per idempotency key at the remote end is the vault's
// job; here retries are limited and each carries the same key.
const exec = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

/** Input of sensitiveActionWorkflow. */
export interface SensitiveActionInput {
  request: ActionRequest;
}

/** Run one sensitive request to its truthful outcome. */
export async function sensitiveActionWorkflow({
  request,
}: SensitiveActionInput): Promise<ActionOutcome> {
  const workflowId = workflowInfo().workflowId;
  const inbox: ApprovalDecision[] = [];
  const status: ActionStatus = {
    state: 'deciding',
    summary: 'Evaluating policy',
    requestHash: '',
    decisions: [],
    rejectedClicks: [],
  };
  setHandler(approvalDecisionSignal, (d) => void inbox.push(d));
  setHandler(statusQuery, () => status);

  const decision = await local.decidePolicy({ workflowId, request });
  status.requestHash = decision.shortHash;
  let auditSeq = 0;
  const audit = (type: AuditEntry['type'], extra: Partial<AuditEntry> = {}) =>
    local.recordAudit({
      id: `${workflowId}#${++auditSeq}`,
      type,
      at: new Date().toISOString(),
      workflowId,
      agent: request.agent,
      capability: request.capability,
      requestHash: decision.requestHash,
      policyRule: decision.rule,
      policyHash: decision.policyHash,
      ...extra,
    });
  const setState = (state: ActionStatus['state'], summary: string) => {
    status.state = state;
    status.summary = summary;
    upsertSearchAttributes([{ key: ApprovalState, value: state }]);
    setCurrentDetails(summary);
  };
  upsertSearchAttributes([{ key: PolicyRule, value: decision.rule ?? 'none' }]);
  await audit('requested', {
    detail: {
      method: request.method,
      path: request.path,
      decision: decision.decision,
      reason: decision.reason,
    },
  });
  let finalizing: Promise<void> = Promise.resolve();
  let judgeLate = async () => {};
  const finish = async (outcome: ActionOutcome): Promise<ActionOutcome> => {
    await finalizing;
    await judgeLate();
    await condition(allHandlersFinished);
    return outcome;
  };
  const base = {
    rule: decision.rule,
    policyHash: decision.policyHash,
    requestHash: decision.requestHash,
    decidedBy: [] as ActionOutcome['decidedBy'],
  };

  if (decision.decision === 'deny') {
    setState('denied', `Denied by policy: ${decision.reason}`);
    await audit('denied', { detail: { reason: decision.reason } });
    return finish({
      ...base,
      outcome: 'denied',
      message: `Denied by policy rule ${decision.rule ?? '(none matched)'}: ${decision.reason}`,
    });
  }
  // A grant-allowed request checks its grant once more: revoked since → it asks like any other.
  let mode = decision.decision;
  if (mode === 'allow' && decision.grant && !(await local.checkGrant({ id: decision.grant.id }))) {
    await audit('grant-revoked', { detail: { grantId: decision.grant.id } });
    mode = 'approve';
  }
  if (mode === 'approve') {
    setState('pending', `Waiting for approval (rule ${decision.rule})`);
    const onProgress = (t: Tally) => {
      status.decisions = [...t.approvals, ...t.rejections].map((d) => ({
        approver: d.approver.displayName,
        choice: d.choice,
        ...(d.reason ? { reason: d.reason } : {}),
        at: d.receivedAt,
      }));
    };
    const onRefused = (d: ApprovalDecision, why: string) => {
      status.rejectedClicks.push({
        approver: d.approver?.displayName ?? '?',
        why,
        at: d.receivedAt,
      });
    };
    const ctx: ApprovalContext = {
      workflowId,
      request,
      decision,
      inbox,
      audit,
      onProgress,
      onRefused,
    };
    const waited = await waitForApproval(ctx);
    // Clicks that arrive while executing are recorded as refused before the run completes.
    judgeLate = () => judgeLateClicks(ctx, waited.tally);
    const decidedBy = [...waited.tally.approvals, ...waited.tally.rejections].map((d) => ({
      approver: d.approver,
      choice: d.choice,
      ...(d.reason ? { reason: d.reason } : {}),
      at: d.receivedAt,
    }));
    const namesOf = decidedBy.map((d) => d.approver.displayName).join(', ');
    const view = finalView(waited.outcome, decidedBy, decision);
    if (namesOf) upsertSearchAttributes([{ key: ApproverKey, value: namesOf }]);
    // Finalizing the cards runs beside the execution; the run completes only when both are done.
    finalizing = acts.updateApprovalCards({
      workflowId,
      request,
      decision,
      deadline: '',
      cards: waited.cards,
      view,
    });
    if (waited.outcome !== 'approved') {
      setState(waited.outcome, view.outcomeText);
      if (waited.outcome === 'expired')
        await audit('expired', { detail: { afterMs: decision.expiry.afterMs } });
      const reason = waited.tally.rejections.at(-1)?.reason;
      return finish({
        ...base,
        decidedBy,
        outcome: waited.outcome,
        message: view.outcomeText,
        ...(waited.outcome === 'rejected' && reason ? { reason } : {}),
      });
    }
    base.decidedBy = decidedBy;
    setState('approved', `${view.outcomeText}; executing`);
    const deciding = waited.tally.approvals.at(-1);
    if (deciding) await giveGrant(workflowId, request, decision, deciding, audit);
  } else {
    await audit('allowed', { detail: { reason: decision.reason, grant: decision.grant?.id } });
  }

  try {
    const result = await exec.executeAction({ workflowId, request, decision });
    if (result.status >= 400) {
      setState('failed', `Executed, but the API answered HTTP ${result.status}`);
      await audit('failed', { detail: { status: result.status } });
      return finish({
        ...base,
        outcome: 'failed',
        message: `Executed ${request.method} ${request.path}, but the API answered HTTP ${result.status}`,
        result,
      });
    }
    setState('executed', `Executed: HTTP ${result.status}`);
    await audit('executed', { detail: { status: result.status, truncated: result.truncated } });
    return finish({
      ...base,
      outcome: 'executed',
      message: `Executed ${request.method} ${request.path}: HTTP ${result.status}`,
      result,
    });
  } catch (err) {
    const why = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    setState('failed', `Execution failed: ${why}`);
    await audit('failed', { detail: { error: why } });
    return finish({
      ...base,
      outcome: 'failed',
      message: `Approved, but execution failed: ${why}`,
    });
  }
}
