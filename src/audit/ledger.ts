// The execution ledger: which run of a request id may execute it. It lives in the audit log, not
// in the workflow's history, so a reset, or a fresh start of a closed workflow id with its copied
// input, cannot forget it. A claim is one audit record whose id is the request's (`execution:
// <workflow id>`); appends are serialized and idempotent by id in every store (the file's lock,
// PostgreSQL's advisory lock), so of two runs racing to claim, one writes the record and the other
// reads it back naming the first. The claim is made before the request is sent, and a retry of the
// same run (a crashed attempt) finds its own claim and sends again with the same Idempotency-Key.
// A call with no such key at the far end (an MCP tool call) is claimed by its attempt: a retry
// finds the earlier attempt's claim and sends nothing, since the first may have gone through.
import type { AuditStore } from './chain.ts';

/** What a claim is made for: the request (its workflow id) and the run that would execute it. */
export interface ExecutionClaim {
  workflowId: string;
  runId: string;
  agent: string;
  capability: string;
  requestHash: string;
  policyRule: string | null;
  policyHash: string;
  /** Set for a call that must not be sent twice even by one run: only this attempt holds it. */
  attempt?: string;
}

/**
 * The claim's outcome: this run (and attempt, when claimed with one) may execute, or another run
 * holds the request id, or (`attempt`) another attempt of this same run does.
 */
export type ClaimResult =
  { ok: true } | { ok: false; heldBy: string; since: string; attempt?: string };

/** The audit id of the claim on `workflowId`: one per request id, whatever the run. */
export const claimId = (workflowId: string): string => `execution:${workflowId}`;

/** The audit type of a claim record. */
export const claimType = 'execution-claimed';

/**
 * Claim the execution of `claim.workflowId` for `claim.runId`: ok when this run holds it (now, or
 * since an earlier attempt of the same run); otherwise which run does.
 */
export async function claimExecution(
  audit: AuditStore,
  claim: ExecutionClaim,
): Promise<ClaimResult> {
  const stored = await audit.append({
    id: claimId(claim.workflowId),
    type: claimType,
    at: new Date().toISOString(),
    workflowId: claim.workflowId,
    agent: claim.agent,
    capability: claim.capability,
    requestHash: claim.requestHash,
    policyRule: claim.policyRule,
    policyHash: claim.policyHash,
    detail: { runId: claim.runId, ...(claim.attempt ? { attempt: claim.attempt } : {}) },
  });
  const heldBy = stored.detail?.['runId'];
  const attempt = stored.detail?.['attempt'];
  if (heldBy === claim.runId && attempt === claim.attempt) return { ok: true };
  const by = typeof heldBy === 'string' ? heldBy : '(unknown)';
  if (heldBy !== claim.runId || claim.attempt === undefined)
    return { ok: false, heldBy: by, since: stored.at };
  return {
    ok: false,
    heldBy: by,
    since: stored.at,
    attempt: typeof attempt === 'string' ? attempt : '(none)',
  };
}
