// Deciding what one click means, as pure deterministic code: the approver must be named by the
// pinned policy decision, must not be the requester (unless allowed), must have seen this exact
// request (hash), and the request must still be pending. Quorum counts distinct approvers.
import { capReason, type ApprovalDecision, type ApproverIdentity } from './messages.ts';
import type { ActionRequest, Approver, PinnedDecision } from './types.ts';

/** What a click did. */
export type Verdict =
  | { kind: 'duplicate' }
  | { kind: 'refused'; why: string }
  | { kind: 'counted'; choice: 'approve' | 'reject'; approvals: number; rejections: number }
  | { kind: 'decided'; outcome: 'approved' | 'rejected' };

/** True when `who` is the identity of `approver` on the clicking platform. */
export function isApprover(who: ApproverIdentity, approver: Approver): boolean {
  if (who.platform === 'teams') {
    return Boolean(
      approver.aadObjectId &&
      approver.aadObjectId === who.aadObjectId &&
      (!approver.tenantId || approver.tenantId === who.tenantId),
    );
  }
  return Boolean(approver.slackUserId && approver.slackUserId === who.userId);
}

function isRequester(who: ApproverIdentity, requester: ActionRequest['requester']): boolean {
  if (!requester) return false;
  if (requester.aadObjectId && requester.aadObjectId === who.aadObjectId) return true;
  return Boolean(
    requester.userId && requester.platform === who.platform && requester.userId === who.userId,
  );
}

function wellFormed(d: ApprovalDecision): boolean {
  const a = d?.approver as Partial<ApproverIdentity> | undefined;
  return (
    typeof d?.decisionId === 'string' &&
    (d.choice === 'approve' || d.choice === 'reject') &&
    typeof d.requestHash === 'string' &&
    (d.reason === undefined || typeof d.reason === 'string') &&
    typeof a?.userId === 'string' &&
    typeof a.displayName === 'string' &&
    (a.platform === 'teams' || a.platform === 'slack')
  );
}

/** The running count of decisions on one request. */
export class Tally {
  readonly seen = new Set<string>();
  readonly approvals: ApprovalDecision[] = [];
  readonly rejections: ApprovalDecision[] = [];
  outcome: 'approved' | 'rejected' | null = null;
  /** Set when the wait ended without a decision (expired): later clicks are refused. */
  closedAs: string | null = null;
  private readonly decision: PinnedDecision;
  private readonly request: ActionRequest;
  /** Approvers who may decide now (escalation adds levels). */
  authorized: Approver[];

  constructor(decision: PinnedDecision, request: ActionRequest) {
    this.decision = decision;
    this.request = request;
    this.authorized = [...decision.approvers];
  }

  /** Let `approvers` decide too (an escalation level was reached). */
  authorize(approvers: Approver[]): void {
    for (const a of approvers)
      if (!this.authorized.some((b) => b.id === a.id)) this.authorized.push(a);
  }

  /** Apply one click and say what it did; a counted click keeps its reason capped (`capReason`). */
  consider(click: ApprovalDecision): Verdict {
    if (!wellFormed(click)) return { kind: 'refused', why: 'malformed decision' };
    const { reason: typed, ...rest } = click;
    const reason = capReason(typed);
    const d: ApprovalDecision = { ...rest, ...(reason ? { reason } : {}) };
    if (this.seen.has(d.decisionId)) return { kind: 'duplicate' };
    this.seen.add(d.decisionId);
    const ended = this.outcome ?? this.closedAs;
    if (ended) return { kind: 'refused', why: `request already ${ended}` };
    if (d.requestHash !== this.decision.shortHash && d.requestHash !== this.decision.requestHash) {
      return { kind: 'refused', why: 'request hash does not match this request' };
    }
    const approver = this.authorized.find((a) => isApprover(d.approver, a));
    if (!approver) return { kind: 'refused', why: 'not an authorized approver for this request' };
    if (!this.decision.allowSelfApproval && isRequester(d.approver, this.request.requester)) {
      return { kind: 'refused', why: 'the requester may not approve their own request' };
    }
    const voted = [...this.approvals, ...this.rejections].some((v) =>
      isApprover(v.approver, approver),
    );
    if (voted) return { kind: 'refused', why: 'this approver has already decided' };
    if (d.choice === 'approve') this.approvals.push(d);
    else this.rejections.push(d);
    if (this.rejections.length >= Math.max(1, this.decision.rejectionsToDeny))
      this.outcome = 'rejected';
    else if (this.approvals.length >= Math.max(1, this.decision.quorum)) this.outcome = 'approved';
    if (this.outcome) return { kind: 'decided', outcome: this.outcome };
    return {
      kind: 'counted',
      choice: d.choice,
      approvals: this.approvals.length,
      rejections: this.rejections.length,
    };
  }
}
