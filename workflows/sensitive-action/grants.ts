// Giving a grant when an approver chose one on the card: a grantWorkflow child that outlives this
// run (ABANDON) and ends on its own durable timer, or when revoked. The grant's id was computed by
// the policy activity (a hash), so identical later requests find it by id.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { Audit } from './run.ts';
import type { GrantRecord } from '../grant/messages.ts';
import { grantWorkflow } from '../grant/workflow.ts';
import { DEFAULT_GRANT_MS, DEFAULT_SESSION_GRANT_MS } from './grant-defaults.ts';
import type { ApprovalDecision } from './messages.ts';
import { AgentId, Capability, PolicyRule } from './search.ts';
import type { ActionRequest, PinnedDecision } from './request.ts';

/** A duration grant lasts the policy's maximum (default 8 hours); a session grant 24 hours at most. */
const DEFAULT_MS = { duration: DEFAULT_GRANT_MS, session: DEFAULT_SESSION_GRANT_MS };

/** Start the grant the deciding click asked for, if the policy offers it; returns its id or null. */
export async function giveGrant(
  workflowId: string,
  request: ActionRequest,
  decision: PinnedDecision,
  click: ApprovalDecision,
  audit: Audit,
): Promise<string | null> {
  const kind = click.grant?.kind;
  if (kind !== 'session' && kind !== 'duration') return null;
  const offered = decision.grants.find((g) => g.kind === kind);
  const id = kind === 'session' ? decision.grantIds.session : decision.grantIds.duration;
  if (!offered || !id || !decision.rule) return null;
  const ms = Math.min(offered.maxMs ?? DEFAULT_MS[kind], click.grant?.durationMs ?? Infinity);
  const grant: GrantRecord = {
    id,
    kind,
    agent: request.agent,
    capability: request.capability,
    method: request.method.toUpperCase(),
    rule: decision.rule,
    fields: decision.grantFields,
    ...(kind === 'session' && request.sessionId ? { sessionId: request.sessionId } : {}),
    grantedBy: click.approver.displayName,
    grantedAt: new Date().toISOString(),
    until: new Date(Date.now() + ms).toISOString(),
    fromWorkflowId: workflowId,
    approval: { v: 1, workflowId, decision: click },
  };
  try {
    await startChild(grantWorkflow, {
      workflowId: id,
      args: [{ grant }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: AgentId, value: request.agent },
        { key: Capability, value: request.capability },
        { key: PolicyRule, value: decision.rule },
      ],
    });
  } catch (err) {
    // The same grant is already active (another approval gave it first): nothing to add.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return id;
  }
  await audit('granted', {
    approver: click.approver,
    detail: { grantId: id, kind, until: grant.until },
  });
  return id;
}
