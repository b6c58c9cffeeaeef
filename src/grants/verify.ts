// Whether a running grantWorkflow really is a grant: anyone with a Temporal client can start one
// with a made-up record, so a grant covers requests only when the sensitive-action workflow named
// in it started it as a child, and it carries that workflow's deciding approval, signed by the
// webhook, approving with this grant kind, made on a card of the very run that started it (a
// click signed for an earlier run of the same workflow gives nothing).
import type { DecisionChecker } from '../receipts/policy.ts';
import type { ActiveGrant } from './grants.ts';

/** Why `active` covers nothing, or null when it is a real grant. */
export function grantProblem(active: ActiveGrant, check: DecisionChecker): string | null {
  const { grant } = active;
  if (!active.startedBy || active.startedBy !== grant.fromWorkflowId)
    return 'not started by the approving workflow';
  const approval = grant.approval;
  if (!approval || approval.workflowId !== grant.fromWorkflowId)
    return 'carries no approval from its workflow';
  const signature = check(approval.workflowId, approval.decision);
  if (!signature.ok) return signature.why;
  const runId = approval.decision.runId;
  if (runId !== undefined && runId !== active.startedByRun)
    return 'its approval was made for another run than the one that started it';
  if (approval.decision.choice !== 'approve') return 'its decision did not approve';
  if (approval.decision.grant?.kind !== grant.kind)
    return `its decision did not ask for a ${grant.kind} grant`;
  return null;
}
