// sensitiveActionWorkflow (`action:<requestId>`): pin the policy decision, then allow, deny or ask
// the approvers; execute exactly the approved request once through the vault (idempotency key =
// workflow id); tell the requester the truth; audit every step. An exchange step (request.exchange)
// executes nothing: allowed or approved, it ends `approved`.
import {
  allHandlersFinished,
  condition,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { actionFinished } from '../metrics.ts';
import { askHumans, type Asked } from './ask.ts';
import { execution, executionPaths } from './execute.ts';
import {
  approvalDecisionSignal,
  showCardSignal,
  statusQuery,
  type ActionStatus,
  type ApprovalDecision,
  type ShowCardRequest,
} from './messages.ts';
import { startRun } from './run.ts';
import { PolicyRule } from './search.ts';
import type { ActionOutcome, SensitiveActionActivities } from './types.ts';
import type { ActionRequest, PinnedDecision } from './request.ts';

// Policy evaluation and the grant re-check are fast and local to the worker: local activities skip
// a round trip through the server (their results are still recorded in history).
const local = proxyLocalActivities<SensitiveActionActivities>({
  startToCloseTimeout: '10 seconds',
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
  const startedAt = Date.now();
  // Asked first, so their markers land in the first workflow task, not in the one a click wakes.
  const paths = executionPaths();
  const inbox: ApprovalDecision[] = [];
  const shows: ShowCardRequest[] = [];
  const status: ActionStatus = {
    state: 'deciding',
    summary: 'Evaluating policy',
    requestHash: '',
    decisions: [],
    rejectedClicks: [],
  };
  setHandler(approvalDecisionSignal, (d) => void inbox.push(d));
  setHandler(showCardSignal, (r) => void shows.push(r));
  setHandler(statusQuery, () => status);

  const decision = await local.decidePolicy({ workflowId, request });
  status.requestHash = decision.shortHash;
  const run = startRun(workflowId, request, decision, status);
  const executing = execution(run, paths);
  upsertSearchAttributes([{ key: PolicyRule, value: decision.rule ?? 'none' }]);
  await run.audit('requested', {
    detail: {
      method: request.method,
      path: request.path,
      decision: decision.decision,
      reason: decision.reason,
      ...(decision.historyFields ? { fields: decision.historyFields } : {}),
    },
  });
  let asked: Asked | undefined;
  const finish = async (
    end: Pick<ActionOutcome, 'outcome' | 'message' | 'reason' | 'result'>,
  ): Promise<ActionOutcome> => {
    await asked?.finalizing;
    await asked?.judgeLate();
    await condition(allHandlersFinished);
    actionFinished(end.outcome, request.agent, decision.rule, Date.now() - startedAt);
    return {
      rule: decision.rule,
      policyHash: decision.policyHash,
      requestHash: decision.requestHash,
      decidedBy: asked?.decidedBy ?? [],
      ...end,
    };
  };

  if (decision.decision === 'deny') {
    run.setState('denied', `Denied by policy: ${decision.reason}`);
    await run.audit('denied', { detail: { reason: decision.reason } });
    return finish({
      outcome: 'denied',
      message: `Denied by policy rule ${decision.rule ?? '(none matched)'}: ${decision.reason}`,
    });
  }
  // A grant-allowed request checks its grant once more: revoked since → it asks like any other.
  let mode = decision.decision;
  if (mode === 'allow' && decision.grant && !(await local.checkGrant({ id: decision.grant.id }))) {
    await run.audit('grant-revoked', { detail: { grantId: decision.grant.id } });
    mode = 'approve';
  }
  if (mode === 'approve') {
    asked = await askHumans(run, inbox, shows, executing);
    if (asked.ended) return finish(asked.ended);
  } else {
    await run.audit('allowed', { detail: { reason: decision.reason, grant: decision.grant?.id } });
  }
  // An exchange step's approval is the whole of it: the exchange carries the text on.
  if (request.exchange) {
    const message = asked?.approvedText ?? allowedText(decision);
    if (!asked) run.setState('approved', message);
    return finish({ outcome: 'approved', message });
  }
  return finish(await executing.execute());
}

/** How an allowed exchange step reads: by the link, or by a grant an approver gave. */
function allowedText(decision: PinnedDecision): string {
  if (decision.grant)
    return `Approved by grant ${decision.grant.id} (given by ${decision.grant.grantedBy} until ${decision.grant.until})`;
  return `Allowed by policy: ${decision.reason}`;
}
