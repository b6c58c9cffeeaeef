// Approval receipts: a signed decision together with the workflow it was sent to. Anyone holding
// the webhook's public key can check one offline: who decided, on which tenant, on which request
// and policy (hashes), when, and that the webhook vouched for it.
import type {
  ApprovalDecision,
  ApproverIdentity,
  DecisionReceipt,
  GrantChoice,
} from '../../workflows/sensitive-action/messages.ts';
import type { DecisionPublicKey } from './keys.ts';
import { verifyDecision } from './verify.ts';

/** What a verified receipt says. */
export interface ReceiptFacts {
  workflowId: string;
  choice: ApprovalDecision['choice'];
  approver: Pick<ApproverIdentity, 'platform' | 'userId' | 'displayName' | 'tenantId'>;
  requestHash: string;
  policyHash?: string;
  at: string;
  grant?: GrantChoice;
  reason?: string;
  /** The workflow run the decision was made for (absent on cards that did not carry one). */
  runId?: string;
  keyId: string;
}

/** A receipt that verified (with its facts), or why it did not. */
export type ReceiptCheck = { ok: true; facts: ReceiptFacts } | { ok: false; why: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Check `raw` (parsed JSON) as a receipt against `publicKeys`. */
export function checkReceipt(raw: unknown, publicKeys: readonly DecisionPublicKey[]): ReceiptCheck {
  if (!isObject(raw) || raw['v'] !== 1) return { ok: false, why: 'not an Airlock receipt (v 1)' };
  const { workflowId, decision } = raw as Partial<DecisionReceipt>;
  if (typeof workflowId !== 'string' || !isObject(decision) || !isObject(decision.approver))
    return { ok: false, why: 'not an Airlock receipt (needs workflowId and decision)' };
  const checked = verifyDecision(workflowId, decision, publicKeys);
  if (!checked.ok) return checked;
  const a = decision.approver;
  return {
    ok: true,
    facts: {
      workflowId,
      choice: decision.choice,
      approver: {
        platform: a.platform,
        userId: a.userId,
        displayName: a.displayName,
        ...(a.tenantId ? { tenantId: a.tenantId } : {}),
      },
      requestHash: decision.requestHash,
      ...(decision.policyHash ? { policyHash: decision.policyHash } : {}),
      at: decision.receivedAt,
      ...(decision.grant ? { grant: decision.grant } : {}),
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(decision.runId ? { runId: decision.runId } : {}),
      keyId: checked.keyId,
    },
  };
}

/** One line saying what a verified receipt proves. */
export function describeReceipt(f: ReceiptFacts): string {
  const who = `${f.approver.displayName} (${f.approver.platform} user ${f.approver.userId}${f.approver.tenantId ? `, tenant ${f.approver.tenantId}` : ''})`;
  const verb = f.choice === 'approve' ? 'approved' : 'rejected';
  const policy = f.policyHash ? ` under policy ${f.policyHash}` : ' (no policy hash on the card)';
  const grant = f.grant ? `, granting ${f.grant.kind}` : '';
  const run = f.runId ? ` (run ${f.runId})` : '';
  return `${who} ${verb} request ${f.requestHash} of ${f.workflowId}${run}${policy} at ${f.at}${grant}; signed by key ${f.keyId}`;
}
