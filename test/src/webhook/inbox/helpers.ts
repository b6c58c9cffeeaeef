// The inbox keeps verified clicks only (their workflow id checked at the edge); tests build them
// from a workflow id and a decision through the same check.
import type { ApprovalDecision } from '../../../../workflows/sensitive-action/messages.ts';
import { checkActionWorkflowId, type VerifiedClick } from '../../../../src/webhook/inbox/clicks.ts';

/** A verified click for `workflowId` (throws when it names no sensitive action). */
export function verified(workflowId: string, decision: ApprovalDecision): VerifiedClick {
  const checked = checkActionWorkflowId(workflowId);
  if (!checked) throw new Error(`${workflowId} names no sensitive action`);
  return { workflowId: checked, decision };
}
