// The fast path of an MCP call a rule allows at once: decided, claimed, called and audited on the
// host, in the worker process that runs the turn, without a sensitiveActionWorkflow. The decision
// is decidePolicy's own (src/actions/decide.ts); only a rule's `allow` passes, never a grant, an
// approve, a deny, or a call the MCP check refused: those return `workflow` and go the workflow
// path, which decides them as it always did. The ledger claims the call per attempt under an id
// unique to the session, turn and call, so a redelivered turn or a retried request never calls
// the tool twice. The audit records are those an allowed action's workflow writes (requested,
// allowed, the claim, executed or failed), with the session's workflow id where the action's
// would be.
import { randomUUID } from 'node:crypto';
import { decideRequest } from '../actions/decide.ts';
import { executeMcpCall } from '../actions/mcp-execute.ts';
import { claimExecution } from '../audit/ledger.ts';
import type { AuditEvent, AuditStore } from '../audit/log.ts';
import { AirlockError } from '../errors.ts';
import type { McpHub } from '../mcp/types.ts';
import type { LoadedPolicy } from '../policy/types.ts';
import { mcpCallOf, mcpOutcomeText } from '../../workflows/sensitive-action/mcp-call.ts';
import type { ActionRequest, PinnedDecision } from '../../workflows/sensitive-action/request.ts';
import type { ExecutionResult } from '../../workflows/sensitive-action/types.ts';

/** What the fast path needs: the worker's policy, audit store and hub. */
export interface McpFastDeps {
  policy: () => Promise<LoadedPolicy>;
  audit: AuditStore;
  mcp: McpHub;
  /** Bytes of result text kept; the rest is cut. Default 16 KiB, as the workflow path. */
  maxResultBytes?: number;
}

/** Which call of which session this is. */
export interface FastCallRef {
  /** Unique per call of the session's turn, the same when the turn is delivered again. */
  callId: string;
  /** The session's workflow id: the audit records name it (there is no action workflow). */
  sessionWorkflowId: string;
  /** The session's run the turn belongs to (the claim's run). */
  runId: string;
}

/** What became of the call: not for this path, executed (ok or not), or refused by the ledger. */
export type FastOutcome =
  | { path: 'workflow' }
  | {
      path: 'fast';
      result: ExecutionResult;
      decision: PinnedDecision;
      outcome: string;
      /** The outcome's audit record, written after the answer (the session's turn waits for it). */
      recorded: Promise<void>;
    }
  | { path: 'refused'; reason: string };

/** Decide `request` and, when a rule allows it at once, call the tool here (see the header). */
export async function fastMcpCall(
  deps: McpFastDeps,
  request: ActionRequest,
  ref: FastCallRef,
  signal?: AbortSignal,
): Promise<FastOutcome> {
  const call = mcpCallOf(request);
  if (!call) return { path: 'workflow' };
  // A broken policy file: the workflow path waits for a fixed one, visibly; nothing here decides.
  const policy = await deps.policy().catch(() => null);
  if (!policy) return { path: 'workflow' };
  const decision = await decideRequest(policy, request, deps.mcp, signal);
  if (decision.decision !== 'allow' || decision.grant) return { path: 'workflow' };

  let seq = 0;
  const entry = (type: string, detail: Record<string, unknown>): AuditEvent => ({
    id: `${ref.callId}#${++seq}`,
    type,
    at: new Date().toISOString(),
    workflowId: ref.sessionWorkflowId,
    agent: request.agent,
    capability: request.capability,
    requestHash: decision.requestHash,
    policyRule: decision.rule,
    policyHash: decision.policyHash,
    detail,
  });
  const record = async (event: AuditEvent) => {
    const stored = await deps.audit.append(event);
    // A redelivered call finds its own record; another event under the same id would be lost.
    if (stored.type !== event.type || stored.workflowId !== event.workflowId)
      throw new AirlockError(
        'audit_id_taken',
        `audit id ${event.id} already holds another event (${stored.type} at ${stored.at})`,
      );
  };
  const requested = entry('requested', {
    method: request.method,
    path: request.path,
    decision: decision.decision,
    reason: decision.reason,
    ...(decision.historyFields ? { fields: decision.historyFields } : {}),
  });
  const allowed = entry('allowed', { reason: decision.reason });
  // Claimed by this attempt before the call: an MCP call carries no idempotency key, so a second
  // attempt of the same call (a redelivered turn, a retried request) finds the claim and sends
  // nothing, since the first may have reached the tool. The three appends are made together: the
  // log writes the appends waiting at once in one write, in the order they were made.
  const attempt = randomUUID();
  const [, , claim] = await Promise.all([
    record(requested),
    record(allowed),
    claimExecution(deps.audit, {
      workflowId: ref.callId,
      runId: ref.runId,
      agent: request.agent,
      capability: request.capability,
      requestHash: decision.requestHash,
      policyRule: decision.rule,
      policyHash: decision.policyHash,
      attempt,
    }),
  ]);
  if (!claim.ok) {
    const why = `an earlier attempt of this turn made this call (${claim.since}); an MCP call carries no idempotency key, so it is not made again`;
    await deps.audit.append({
      ...entry('replay-refused', { runId: ref.runId, why }),
      id: `${ref.callId}#refused:${attempt}`,
    });
    return { path: 'refused', reason: `replay-refused: ${why}` };
  }
  const result = await executeMcpCall({
    hub: deps.mcp,
    call,
    request,
    maxResultBytes: deps.maxResultBytes ?? 16 * 1024,
    ...(signal ? { signal } : {}),
  });
  const outcome = mcpOutcomeText(request, result) ?? '';
  // Numbered as the workflow numbers an allowed action's: requested #1, allowed #2, outcome #3
  // (the claim has its own id).
  // Recorded while the answer goes back: the claim, durable before the call, already says the call
  // was made, and the session's turn does not end before this record is written.
  const recorded = record(
    result.status >= 400
      ? entry('failed', { status: result.status, why: outcome })
      : entry('executed', { status: result.status, truncated: result.truncated }),
  );
  return { path: 'fast', result, decision, outcome, recorded };
}
