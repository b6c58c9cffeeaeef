// Deciding what one click means, as pure deterministic code: the approver must be named by the
// pinned policy decision, must not be a requester (the requester or anyone else whose message was
// in the same turn; unless allowed; matched as a policy user, so on any platform), must have seen
// this exact request (hash) under this policy (hash), and the request must still be pending. Quorum counts distinct approvers. The webhook's signature is
// checked by an activity between `check` and `consider` (execute.ts, for approval.ts).
import { capReason, type ApprovalDecision, type ApproverIdentity } from './messages.ts';
import { isApprover } from './identity.ts';
import type { ActionRequest, Approver, PinnedDecision } from './request.ts';

/** Why a click was refused, as a short fixed code (a metric label; `why` is the text). */
export type RefusalCode =
  | 'malformed'
  | 'decided'
  | 'request-hash'
  | 'policy-hash'
  | 'unauthorized'
  | 'self-approval'
  | 'already-voted'
  | 'unsigned'
  | 'bad-signature';

/** What a click did. */
export type Verdict =
  | { kind: 'duplicate' }
  | { kind: 'refused'; why: string; code: RefusalCode }
  | { kind: 'counted'; choice: 'approve' | 'reject'; approvals: number; rejections: number }
  | { kind: 'decided'; outcome: 'approved' | 'rejected' };

/**
 * True when the clicker is a requester: the same policy user (resolved from any of the
 * requester's ids when the policy was decided, or the talker a co-requester was checked as), or
 * the same platform identity as the requester or anyone whose message was in the same turn.
 */
function isRequester(
  who: ApproverIdentity,
  approver: Approver,
  request: ActionRequest,
  requesterUserId: string | null | undefined,
): boolean {
  if (requesterUserId && requesterUserId === approver.id) return true;
  const others = request.coRequesters ?? [];
  if (others.some((r) => r.policyUserId && r.policyUserId === approver.id)) return true;
  return [request.requester, ...others].some(
    (r) =>
      r !== undefined &&
      ((r.aadObjectId !== undefined && r.aadObjectId === who.aadObjectId) ||
        Boolean(r.userId && r.platform === who.platform && r.userId === who.userId)),
  );
}

function wellFormed(d: ApprovalDecision): boolean {
  const a = d?.approver as Partial<ApproverIdentity> | undefined;
  return (
    typeof d?.decisionId === 'string' &&
    (d.choice === 'approve' || d.choice === 'reject') &&
    typeof d.requestHash === 'string' &&
    (d.policyHash === undefined || typeof d.policyHash === 'string') &&
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

  /** What `click` would do, without applying it: null when it would count. */
  check(click: ApprovalDecision): Verdict | null {
    const screened = this.screen(click);
    return 'verdict' in screened ? screened.verdict : null;
  }

  /** True when `click` would count and, counted, approve the request (the quorum reached). */
  wouldApprove(click: ApprovalDecision): boolean {
    return (
      this.check(click) === null &&
      click.choice === 'approve' &&
      this.rejections.length < Math.max(1, this.decision.rejectionsToDeny) &&
      this.approvals.length + 1 >= Math.max(1, this.decision.quorum)
    );
  }

  /** The refusal (or duplicate) `click` earns, or the decision (reason capped) it would count. */
  private screen(click: ApprovalDecision): { verdict: Verdict } | { d: ApprovalDecision } {
    const refuse = (why: string, code: RefusalCode) => ({
      verdict: { kind: 'refused' as const, why, code },
    });
    if (!wellFormed(click)) return refuse('malformed decision', 'malformed');
    const { reason: typed, ...rest } = click;
    const reason = capReason(typed);
    const d: ApprovalDecision = { ...rest, ...(reason ? { reason } : {}) };
    if (this.seen.has(d.decisionId)) return { verdict: { kind: 'duplicate' } };
    const ended = this.outcome ?? this.closedAs;
    if (ended) return refuse(`request already ${ended}`, 'decided');
    if (d.requestHash !== this.decision.shortHash && d.requestHash !== this.decision.requestHash) {
      return refuse('request hash does not match this request', 'request-hash');
    }
    if (d.policyHash !== undefined && d.policyHash !== this.decision.policyHash) {
      return refuse(
        'policy hash does not match the policy this request was decided under',
        'policy-hash',
      );
    }
    const approver = this.authorized.find((a) => isApprover(d.approver, a));
    if (!approver) return refuse('not an authorized approver for this request', 'unauthorized');
    if (
      !this.decision.allowSelfApproval &&
      isRequester(d.approver, approver, this.request, this.decision.requesterUserId)
    ) {
      return refuse('the requester may not approve their own request', 'self-approval');
    }
    const voted = [...this.approvals, ...this.rejections].some((v) =>
      isApprover(v.approver, approver),
    );
    if (voted) return refuse('this approver has already decided', 'already-voted');
    return { d };
  }

  /**
   * Apply one click and say what it did; a counted click keeps its reason capped (`capReason`).
   * Every well-formed click's id is remembered, so a redelivery is a duplicate.
   */
  consider(click: ApprovalDecision): Verdict {
    const screened = this.screen(click);
    if (wellFormed(click)) this.seen.add(click.decisionId);
    if ('verdict' in screened) return screened.verdict;
    const { d } = screened;
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
